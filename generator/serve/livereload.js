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
  source.addEventListener("reload", function () { window.location.reload(); });
  source.addEventListener("error-state", function (event) { showError(event.data); });
  source.addEventListener("ok-state", function () {
    if (overlay) { overlay.remove(); overlay = null; window.location.reload(); }
  });
})();
