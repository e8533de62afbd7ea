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
  // The server says which pages a build changed (null: any of them); act only when this one
  // did, or when an error overlay is showing (the fix may have changed another file).
  function here() { return window.location.pathname.replace(/index\.html$/, ""); }
  // A page whose only change is its own HTML, and which runs no script of its own, gets its new
  // body swapped in (no navigation: faster, and the reader keeps their scroll position). Anything
  // else (a style sheet, a page with scripts, a failed fetch) is a full reload.
  var OWN_SCRIPTS = "script:not([type='application/ld+json']):not([src^='/__newsarchive/'])";
  function swapOrReload() {
    if (document.querySelector(OWN_SCRIPTS) || !window.fetch || !window.DOMParser) {
      window.location.reload();
      return;
    }
    fetch(window.location.href, { cache: "no-store" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      if (fresh.querySelector(OWN_SCRIPTS)) { window.location.reload(); return; }
      document.title = fresh.title;
      document.body.replaceWith(document.adoptNode(fresh.body));
    }).catch(function () { window.location.reload(); });
  }
  source.addEventListener("reload", function (event) {
    var changed = null;
    try { changed = JSON.parse(event.data).changed; } catch (e) { changed = null; }
    if (overlay || changed === null) { window.location.reload(); return; }
    var mine = changed.indexOf(here()) !== -1;
    var shared = changed.some(function (path) { return path.indexOf("/static/") === 0; });
    if (shared) { window.location.reload(); } else if (mine) { swapOrReload(); }
  });
  source.addEventListener("error-state", function (event) { showError(event.data); });
  source.addEventListener("ok-state", function () {
    if (overlay) { overlay.remove(); overlay = null; window.location.reload(); }
  });
})();
