// newsarchive preview: reload the page when the site was rebuilt; show build errors in an overlay.
// Injected only by `newsarchive serve`; never part of a built site.
(function () {
  "use strict";
  var source = new EventSource("/__newsarchive/events");
  var overlay = null;
  function showError(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "newsarchive-error-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(20,0,0,.92);" +
        "color:#fff;font:14px/1.5 ui-monospace,monospace;padding:2rem;overflow:auto;white-space:pre-wrap";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "newsarchive: the last build failed; this is the previous site.\n\n" + text;
  }
  // The server says which pages a build changed (null: any of them); reload only when this one
  // did, or when an error overlay is showing (the fix may have changed another file).
  function here() { return window.location.pathname.replace(/index\.html$/, ""); }
  source.addEventListener("reload", function (event) {
    var changed = null;
    try { changed = JSON.parse(event.data).changed; } catch (e) { changed = null; }
    if (overlay || changed === null || changed.indexOf(here()) !== -1) { window.location.reload(); }
  });
  source.addEventListener("error-state", function (event) { showError(event.data); });
  source.addEventListener("ok-state", function () {
    if (overlay) { overlay.remove(); overlay = null; window.location.reload(); }
  });
})();
