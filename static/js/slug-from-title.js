// Shows, as the title is typed, the short name the server will make from it when the short name
// field is left empty (the placeholder, not the value: only the server knows which names are taken
// and adds -2, -3...). Mirrors django.utils.text.slugify. Without JavaScript the server does the same.
(function () {
  "use strict";
  function slugify(text) {
    return text.normalize("NFKD").replace(/[^\x00-\x7F]/g, "").toLowerCase()
      .replace(/[^\w\s-]/g, "").replace(/[-\s]+/g, "-").replace(/^[-_]+|[-_]+$/g, "");
  }
  document.querySelectorAll("input[data-slug-from]").forEach(function (slug) {
    var title = document.getElementById(slug.dataset.slugFrom);
    if (!title) { return; }
    var maxLength = slug.maxLength > 0 ? slug.maxLength : 60;
    function suggest() { slug.placeholder = slugify(title.value).slice(0, maxLength).replace(/-+$/, ""); }
    title.addEventListener("input", suggest);
    suggest();
  });
})();
