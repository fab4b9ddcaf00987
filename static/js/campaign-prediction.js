// Follows a campaign's prediction being calculated: polls its status, shows how far it is, and reloads
// the page once it has finished, so the figures appear. Without JavaScript the "Check again" link does the same.
(function () {
  "use strict";
  var status = document.querySelector("[data-prediction-status][data-status-url]");
  if (!status) {
    return;
  }
  var label = status.querySelector("[data-prediction-status-label]");
  var progress = status.querySelector("[data-prediction-progress]");
  var delay = 3000;

  // The page comes back as ?checked=prediction, on which it puts the keyboard on the job's status (autofocus)
  // rather than at its top, where a reload leaves it. The fragment goes: a URL that differed from the
  // page's only by its fragment would scroll the page, not load it again.
  function checkedUrl() {
    var url = new URL(window.location.href);
    url.searchParams.set("checked", "prediction");
    url.hash = "";
    return url.href;
  }

  function poll() {
    fetch(status.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (prediction) {
        if (prediction && prediction.status_label) { label.textContent = prediction.status_label; }
        if (prediction && progress) { progress.textContent = prediction.progress; }
        if (prediction && prediction.finished) {
          window.location.replace(checkedUrl());
          return;
        }
        delay = Math.min(delay * 1.3, 15000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 15000); });
  }
  window.setTimeout(poll, delay);
})();
