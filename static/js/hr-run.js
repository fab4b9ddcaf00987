// Follows a running Populus fetch on its run page: polls the run's status and reloads the page
// once the run has finished, so the counts and rejected rows appear. Announced via the live region.
(function () {
  "use strict";
  var box = document.getElementById("run-progress");
  if (!box || !box.dataset.statusUrl) {
    return;
  }
  var statusText = box.querySelector("[data-run-status]");
  var stageText = box.querySelector("[data-run-stage]");
  var delay = 2000;

  // The page comes back as ?checked=run, on which it puts the keyboard on the job's status (autofocus)
  // rather than at its top, where a reload leaves it. The fragment goes: a URL that differed from the
  // page's only by its fragment would scroll the page, not load it again.
  function checkedUrl() {
    var url = new URL(window.location.href);
    url.searchParams.set("checked", "run");
    url.hash = "";
    return url.href;
  }

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (run) {
        if (!run) { return; }
        statusText.textContent = run.status_label;
        statusText.className = "run-status run-status--" + run.status;
        stageText.textContent = run.stage ? "(" + run.stage + ")" : "";
        if (run.finished) {
          window.location.replace(checkedUrl());
          return;
        }
        delay = Math.min(delay * 1.5, 15000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 15000); });
  }
  window.setTimeout(poll, delay);
})();
