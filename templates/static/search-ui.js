// newsarchive search page, the reader's side: how results, filters and pages of results look.
// static/search.js asks an engine (Pagefind or the preview's /api/search) and hands the answer
// to this file's NewsarchiveSearchUI; nothing here knows which engine answered.
// Everything from an index is inserted as text; only <mark> in snippets becomes an element.
(function () {
  "use strict";
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"];
  var FACET_SHOWN = 8;  // values a facet lists before "show all"

  // "2024-03-14" -> "March 14, 2024", as every page of the site writes dates.
  function displayDate(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value || "");
    if (!m) { return value ? String(value) : "Undated"; }
    return MONTHS[parseInt(m[2], 10) - 1] + " " + parseInt(m[3], 10) + ", " + m[1];
  }

  function decode(text) {
    var area = document.createElement("textarea");
    area.innerHTML = text;
    return area.value;
  }

  // Pagefind joins the text of inline elements with a space ("“ This", "said , ”"): the
  // quotation and note marks in article bodies are such elements. Put the punctuation back.
  function tidy(text) {
    return text.replace(/([“‘(\[«]) +/g, "$1").replace(/ +([”’)\],.;:!?»])/g, "$1");
  }

  // Snippets are escaped text with <mark> around hits: rebuild them as nodes, never as HTML.
  function snippetNodes(html) {
    var fragment = document.createDocumentFragment();
    var source = String(html);
    var parts = source.split(/<mark[^>]*>|<\/mark>/);
    var marks = source.match(/<mark[^>]*>|<\/mark>/g) || [];
    var inMark = false;
    var texts = parts.map(function (part) { return decode(part.replace(/<[^>]*>/g, "")); });
    // Tidy across the pieces: join with placeholders that survive the regular expressions.
    var joined = tidy(texts.join("\u0000")).split("\u0000");
    for (var i = 0; i < joined.length; i++) {
      var text = joined[i];
      if (text) {
        if (inMark) { var m = document.createElement("mark"); m.textContent = text; fragment.appendChild(m); }
        else { fragment.appendChild(document.createTextNode(text)); }
      }
      if (i < marks.length) { inMark = marks[i].charAt(1) !== "/"; }
    }
    return fragment;
  }

  function byline(names) {
    if (!names || !names.length) { return ""; }
    if (names.length === 1) { return "By " + names[0]; }
    return "By " + names.slice(0, -1).join(", ") + " and " + names[names.length - 1];
  }

  window.NewsarchiveSearchUI = function (options) {
    var form = options.form;
    var statusEl = document.getElementById("search-status");
    var suggestionEl = document.getElementById("search-suggestion");
    var resultsEl = document.getElementById("search-results");
    var filtersEl = document.getElementById("search-filters");
    var pagerEl = document.getElementById("search-pager");
    var params = options.params;
    var link = options.link;
    var onLoadFacet = options.loadFacet;
    var perPage = options.perPage;
    var focusFacet = null;  // the facet just loaded: its first checkbox takes the button's focus
    var opened = {};  // facets the reader opened (kept open across searches)

    function submit() { if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); } }

    function hitItem(hit) {
      var li = document.createElement("li");
      var article = document.createElement("article");
      var h2 = document.createElement("h2");
      var a = document.createElement("a");
      a.href = link(hit.url);
      a.textContent = hit.title;
      h2.appendChild(a);
      article.appendChild(h2);
      var meta = document.createElement("p");
      meta.className = "meta";
      var parts = [hit.date ? displayDate(hit.date) : "Undated"];
      if (hit.authors && hit.authors.length) { parts.push(byline(hit.authors)); }
      meta.textContent = parts.join(" · ");
      article.appendChild(meta);
      var p = document.createElement("p");
      p.className = "summary";
      p.appendChild(snippetNodes(hit.snippet || ""));
      article.appendChild(p);
      li.appendChild(article);
      return li;
    }

    function status(text) { statusEl.textContent = text; }

    function show(result, query, page) {
      resultsEl.textContent = "";
      var fragment = document.createDocumentFragment();
      result.hits.forEach(function (hit) { fragment.appendChild(hitItem(hit)); });
      resultsEl.appendChild(fragment);
      var first = (page - 1) * perPage + 1;
      var last = first + result.hits.length - 1;
      status(result.total === 0 ? "No articles match “" + query + "”." :
        (result.total > perPage ? first + "–" + last + " of " : "") +
        result.total + " article" + (result.total === 1 ? "" : "s") + " match “" + query + "”.");
      suggestionEl.hidden = !result.suggestion;
      suggestionEl.textContent = "";
      if (result.suggestion) {
        suggestionEl.appendChild(document.createTextNode("Did you mean "));
        var s = document.createElement("a");
        var next = params(); next.set("q", result.suggestion); next.delete("page");
        s.href = "?" + next.toString();
        s.textContent = result.suggestion;
        suggestionEl.appendChild(s);
        suggestionEl.appendChild(document.createTextNode("?"));
      }
      showFacets(result.facets || {}, result.moreFacets || []);
      showPager(result.total, page);
      restoreScroll();
    }

    // One collapsed <details> per facet (open when the reader opened it or filters by it), its
    // values the most frequent first, FACET_SHOWN of them until "Show all".
    function showFacets(facets, more) {
      filtersEl.textContent = "";
      var current = params();
      options.facets.forEach(function (facet) {
        var values = facets[facet[1]] || [];
        if (!values.length) { return; }
        var chosen = current.getAll(facet[0]);
        var details = document.createElement("details");
        details.open = !!opened[facet[0]] || chosen.length > 0 || focusFacet === facet[0];
        details.addEventListener("toggle", function () { opened[facet[0]] = details.open; });
        var summary = document.createElement("summary");
        summary.textContent = facet[2] + (chosen.length ? " (" + chosen.length + " chosen)" : "");
        details.appendChild(summary);
        var fieldset = document.createElement("fieldset");
        var legend = document.createElement("legend");
        legend.className = "visually-hidden";
        legend.textContent = "Filter by " + facet[2].toLowerCase();
        fieldset.appendChild(legend);
        var box = document.createElement("div");
        box.className = "facet-values";
        var hiddenRows = [];
        values.forEach(function (entry, index) {
          var id = "f-" + facet[0] + "-" + index;
          var input = document.createElement("input");
          input.type = "checkbox"; input.name = facet[0]; input.value = entry.value; input.id = id;
          input.checked = chosen.indexOf(entry.value) >= 0;
          input.addEventListener("change", submit);
          var label = document.createElement("label");
          label.htmlFor = id;
          label.textContent = entry.value + " (" + entry.count + ")";
          var row = document.createElement("div");
          row.appendChild(input); row.appendChild(label);
          if (index >= FACET_SHOWN && !input.checked) { row.hidden = true; hiddenRows.push(row); }
          box.appendChild(row);
        });
        fieldset.appendChild(box);
        if (hiddenRows.length) {
          var all = document.createElement("button");
          all.type = "button";
          all.className = "facet-more";
          all.textContent = "Show all " + values.length;
          all.addEventListener("click", function () {
            hiddenRows.forEach(function (row) { row.hidden = false; });
            all.remove();
            hiddenRows[0].querySelector("input").focus();
          });
          fieldset.appendChild(all);
        }
        details.appendChild(fieldset);
        filtersEl.appendChild(details);
      });
      if (focusFacet) {
        var firstBox = document.getElementById("f-" + focusFacet + "-0");
        focusFacet = null;
        if (firstBox) { firstBox.focus(); }
      }
      if (!more.length) { return; }
      // Facets whose counts are not loaded yet: one button each, which fetches that facet's index.
      var group = document.createElement("div");
      group.className = "facet-load-group";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Filter by");
      var label = document.createElement("span");
      label.className = "facet-load-label";
      label.textContent = "Filter by:";
      group.appendChild(label);
      options.facets.forEach(function (facet) {
        if (more.indexOf(facet[0]) < 0) { return; }
        var button = document.createElement("button");
        button.type = "button";
        button.className = "facet-load";
        button.setAttribute("data-facet", facet[0]);
        button.textContent = facet[2];
        button.addEventListener("click", function () {
          button.disabled = true;
          focusFacet = facet[0];
          opened[facet[0]] = true;
          onLoadFacet(facet[0]).catch(function (error) {
            focusFacet = null;
            button.disabled = false;
            status("Search failed: " + error.message);
          });
        });
        group.appendChild(button);
      });
      filtersEl.appendChild(group);
    }

    // Numbered pages: the first, the last, and two either side of the current one.
    function showPager(total, page) {
      pagerEl.textContent = "";
      var pages = Math.ceil(total / perPage);
      if (pages < 2) { return; }
      function pageLink(number, text, rel) {
        var next = params();
        if (number === 1) { next.delete("page"); } else { next.set("page", String(number)); }
        var a = document.createElement("a");
        a.href = "?" + next.toString();
        a.textContent = text;
        if (rel) { a.rel = rel; }
        if (text !== String(number)) { a.setAttribute("aria-label", (rel === "prev" ? "Previous" : "Next") + " page"); }
        return a;
      }
      if (page > 1) { pagerEl.appendChild(pageLink(page - 1, "←", "prev")); }
      var last = 0;
      for (var n = 1; n <= pages; n++) {
        if (n !== 1 && n !== pages && Math.abs(n - page) > 2) { continue; }
        if (last && n > last + 1) {
          var gap = document.createElement("span");
          gap.className = "gap";
          gap.textContent = "…";
          pagerEl.appendChild(gap);
        }
        if (n === page) {
          var here = document.createElement("span");
          here.setAttribute("aria-current", "page");
          here.textContent = String(n);
          pagerEl.appendChild(here);
        } else {
          pagerEl.appendChild(pageLink(n, String(n)));
        }
        last = n;
      }
      if (page < pages) { pagerEl.appendChild(pageLink(page + 1, "→", "next")); }
    }

    // Back from a result: the page runs its search again, after the browser gave up restoring
    // the scroll position of a page that was short until then. Keep the position per history
    // entry and put it back once the results are in.
    var restored = false;
    if ("scrollRestoration" in history) { history.scrollRestoration = "manual"; }
    function saveScroll() {
      var state = history.state && typeof history.state === "object" ? history.state : {};
      try { history.replaceState(Object.assign({}, state, { scrollY: window.scrollY }), ""); } catch (e) { /* quota */ }
    }
    window.addEventListener("pagehide", saveScroll);
    var saving = null;
    window.addEventListener("scroll", function () {
      if (saving) { return; }
      saving = setTimeout(function () { saving = null; saveScroll(); }, 200);
    }, { passive: true });
    function restoreScroll() {
      if (restored) { return; }
      restored = true;
      var y = history.state && history.state.scrollY;
      if (y) { window.scrollTo(0, y); }
    }
    function newSearch() { restored = true; }

    // Opened from disk (file://), a page may not load the search index: say so, search nothing.
    var fromDisk = window.location.protocol === "file:";
    if (fromDisk) {
      var notice = document.querySelector(".file-notice");
      if (notice) { notice.hidden = false; }
    }

    return { show: show, status: status, newSearch: newSearch, available: !fromDisk };
  };
})();
