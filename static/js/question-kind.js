// On the question form, shows only the panel of the chosen question type (answer options for a
// choice question, limits for a number...). Without JavaScript every panel shows under a legend
// naming its type, and the server ignores the panels of the other types either way.
(function () {
  "use strict";
  var select = document.querySelector("select[data-kind-select]");
  if (!select) { return; }
  var panels = document.querySelectorAll("[data-for-kind]");
  var hint = document.querySelector("[data-kind-hint]");
  if (hint) { hint.hidden = true; }
  function showChosen() {
    panels.forEach(function (panel) { panel.hidden = panel.dataset.forKind !== select.value; });
  }
  select.addEventListener("change", showChosen);
  showChosen();
})();
