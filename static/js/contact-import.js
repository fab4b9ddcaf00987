// Follows a contact import on its report page: polls the import's status, moves the progress bar and
// reloads the page when the import has finished, so that its report appears. Without JavaScript the
// page's "Check again" link does the same.
(function () {
  "use strict";
  var section = document.querySelector("[data-import-status-url]");
  if (!section) {
    return;
  }
  var bar = section.querySelector("progress");
  var status = section.querySelector("[data-import-status]");
  var rows = section.querySelector("[data-import-rows]");
  var live = section.querySelector("[data-import-live]");
  var delay = 1000;

  // The page comes back as ?checked=import, on which it puts the keyboard on the job's status (autofocus)
  // rather than at its top, where a reload leaves it. The fragment goes: a URL that differed from the
  // page's only by its fragment would scroll the page, not load it again.
  function checkedUrl() {
    var url = new URL(window.location.href);
    url.searchParams.set("checked", "import");
    url.hash = "";
    return url.href;
  }

  function poll() {
    fetch(section.dataset.importStatusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (report) {
        if (!report) {
          window.setTimeout(poll, 10000);
          return;
        }
        status.textContent = report.status_label;
        rows.textContent = rows.textContent.replace(/^[\d\s\u00a0]+/, report.rows_done + " ");
        if (report.progress !== null) {
          bar.value = report.progress;
          bar.textContent = report.progress + " %";
        }
        if (report.finished) {
          if (live) { live.textContent = live.dataset.doneText || ""; }
          window.location.replace(checkedUrl());
          return;
        }
        delay = Math.min(delay * 1.2, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, delay);
})();
