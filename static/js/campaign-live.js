// Keeps the live campaign page current: while the campaign is running, fetches its figures every
// five seconds and writes them into the elements marked data-live; once it stops running, reloads
// the page once so the pause/resume/cancel buttons match the new status. Only the summary line is an
// aria-live region, so a screen reader hears one sentence per change instead of every cell.
(function () {
  "use strict";
  var box = document.getElementById("campaign-live");
  if (!box || !box.dataset.progressUrl || box.dataset.running !== "true") {
    return;
  }
  var INTERVAL = 5000;
  var bar = document.getElementById("campaign-progress-bar");
  var summary = box.querySelector("[data-live-summary]");
  var badge = document.querySelector("[data-live-status]");
  var funnel = box.querySelector("[data-live-funnel]");
  var lastFunnel = null;

  function setText(element, text) {
    if (element && element.textContent !== text) {
      element.textContent = text;
    }
  }

  // The page comes back as ?checked=progress, on which it puts the keyboard on the progress's summary
  // (autofocus) rather than at its top, where a reload leaves it. The fragment goes: a URL that differed
  // from the page's only by its fragment would scroll the page, not load it again.
  function checkedUrl() {
    var url = new URL(window.location.href);
    url.searchParams.set("checked", "progress");
    url.hash = "";
    return url.href;
  }

  function apply(data) {
    Object.keys(data.values).forEach(function (key) {
      box.querySelectorAll('[data-live="' + key + '"]').forEach(function (element) {
        setText(element, data.values[key]);
      });
    });
    if (bar) {
      bar.max = Math.max(data.numbers, 1);
      bar.value = data.final;
      setText(bar, data.values.percent + " %");
    }
    // Each quota's bar: completes of the quota (a full group's bar stays full when it overshoots).
    Object.keys(data.quota_bars || {}).forEach(function (key) {
      var quotaBar = box.querySelector('[data-live-bar="' + key + '"]');
      var figures = data.quota_bars[key];
      if (quotaBar && figures[1] > 0) {
        quotaBar.max = figures[1];
        quotaBar.value = Math.min(figures[0], figures[1]);
        setText(quotaBar, data.values[key + "-percent"] + " %");
      }
    });
    setText(summary, data.summary);
    // The funnel's chart and table are drawn on the server (escaped SVG and HTML, no scripts or
    // styles), so they are swapped whole.
    if (funnel && data.funnel && data.funnel !== lastFunnel) {
      funnel.innerHTML = data.funnel;
      lastFunnel = data.funnel;
    }
    if (badge) {
      setText(badge, data.status_label);
      badge.className = "status status--" + data.status;
    }
  }

  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) {
          window.setTimeout(poll, INTERVAL);
          return;
        }
        apply(data);
        if (data.running) {
          window.setTimeout(poll, INTERVAL);
        } else {
          // Paused, completed or cancelled elsewhere: reload once so the status buttons match.
          window.location.replace(checkedUrl());
        }
      })
      .catch(function () { window.setTimeout(poll, INTERVAL); });
  }
  window.setTimeout(poll, INTERVAL);
})();
