// Each step of the web survey is a page of its own: move the focus to its heading (or to the
// summary of errors) so that a screen reader starts reading there. Without JavaScript the pages
// work the same, with the focus at the top of the page.
document.addEventListener("DOMContentLoaded", () => {
  const start = document.querySelector("[data-focus-on-load]");
  if (start) {
    start.focus();
  }
});
