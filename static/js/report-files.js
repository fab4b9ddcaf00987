// Follows the reports being generated on a campaign's results page: polls each unfinished report's
// status, moves its progress bar and reloads the page once every report has finished, so the
// download links appear. Without JavaScript the page's "Check again" link does the same.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-status-url]"));
  if (!rows.length) {
    return;
  }
  var live = document.querySelector("[data-report-live]");
  var delay = 1500;

  // The page comes back as ?checked=reports, on which it puts the keyboard on the job's status (autofocus)
  // rather than at its top, where a reload leaves it. The fragment goes: a URL that differed from the
  // page's only by its fragment would scroll the page, not load it again.
  function checkedUrl() {
    var url = new URL(window.location.href);
    url.searchParams.set("checked", "reports");
    url.hash = "";
    return url.href;
  }

  function poll() {
    Promise.all(rows.map(function (row) {
      return fetch(row.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (report) {
          if (!report) { return false; }
          row.querySelector("[data-report-status]").textContent = report.status_label;
          var bar = row.querySelector("progress");
          if (bar) {
            bar.value = report.progress;
            bar.textContent = report.progress + " %";
          }
          return report.finished;
        });
    })).then(function (finished) {
      if (finished.every(Boolean)) {
        if (live) { live.textContent = live.dataset.doneText || ""; }
        window.location.replace(checkedUrl());
        return;
      }
      delay = Math.min(delay * 1.3, 10000);
      window.setTimeout(poll, delay);
    }).catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, delay);
})();
