// newsarchive search page: one UI, two engines. In `newsarchive serve` it asks /api/search (Whoosh);
// on a static host it asks the Pagefind bundle in pagefind/. Query and filters live in the URL.
// Everything from an index is inserted as text; only <mark> in snippets becomes an element.
// On a static host every byte counts: Pagefind runs on the page (no second copy of it in a web
// worker), a facet's filter index is fetched only when the reader asks for that facet (or filters
// by it), and only the shown page of results is fetched.
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  if (!form) { return; }
  var root = form.getAttribute("data-root") || "";
  var input = document.getElementById("search-q");
  var statusEl = document.getElementById("search-status");
  var suggestionEl = document.getElementById("search-suggestion");
  var resultsEl = document.getElementById("search-results");
  var filtersEl = document.getElementById("search-filters");
  var pagerEl = document.getElementById("search-pager");
  var FACETS = [["person", "people", "People"], ["organization", "organizations", "Organizations"],
                ["place", "places", "Places"], ["tag", "tags", "Tags"], ["year", "year", "Year"]];
  var PER_PAGE = 10;
  var apiScript = document.querySelector("script[data-api]");
  var api = apiScript ? apiScript.getAttribute("data-api") : null;
  var pagefind = null;
  var loadedFacets = {};  // Pagefind filter indexes fetched so far, by URL parameter ("person"...)
  var focusFacet = null;  // the facet just loaded: its first checkbox takes the button's focus

  function params() { return new URLSearchParams(window.location.search); }

  function decode(text) {
    var area = document.createElement("textarea");
    area.innerHTML = text;
    return area.value;
  }

  // Snippets are escaped text with <mark> around hits: rebuild them as nodes, never as HTML.
  function snippetNodes(html) {
    var fragment = document.createDocumentFragment();
    var parts = String(html).split(/<mark[^>]*>|<\/mark>/);
    var marks = String(html).match(/<mark[^>]*>|<\/mark>/g) || [];
    var inMark = false;
    for (var i = 0; i < parts.length; i++) {
      var text = decode(parts[i].replace(/<[^>]*>/g, ""));
      if (text) {
        if (inMark) { var m = document.createElement("mark"); m.textContent = text; fragment.appendChild(m); }
        else { fragment.appendChild(document.createTextNode(text)); }
      }
      if (i < marks.length) { inMark = marks[i].charAt(1) !== "/"; }
    }
    return fragment;
  }

  function link(url) { return /^[a-z]+:/i.test(url) || url.charAt(0) === "/" ? url : root + url; }

  function show(result, query, page) {
    resultsEl.textContent = "";
    result.hits.forEach(function (hit) {
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
      meta.textContent = hit.date ? hit.date.slice(0, 10) : "Undated";
      article.appendChild(meta);
      var p = document.createElement("p");
      p.className = "summary";
      p.appendChild(snippetNodes(hit.snippet || ""));
      article.appendChild(p);
      li.appendChild(article);
      resultsEl.appendChild(li);
    });
    statusEl.textContent = result.total === 0 ? "No articles match “" + query + "”." :
      result.total + " article" + (result.total === 1 ? "" : "s") + " match “" + query + "”.";
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
  }

  function showFacets(facets, more) {
    filtersEl.textContent = "";
    var current = params();
    FACETS.forEach(function (facet) {
      var values = facets[facet[1]] || [];
      if (!values.length) { return; }
      var fieldset = document.createElement("fieldset");
      var legend = document.createElement("legend");
      legend.textContent = facet[2];
      fieldset.appendChild(legend);
      var chosen = current.getAll(facet[0]);
      values.filter(function (entry, index) { return index < 25 || chosen.indexOf(entry.value) >= 0; })
        .forEach(function (entry, index) {
        var id = "f-" + facet[0] + "-" + index;
        var box = document.createElement("input");
        box.type = "checkbox"; box.name = facet[0]; box.value = entry.value; box.id = id;
        box.checked = current.getAll(facet[0]).indexOf(entry.value) >= 0;
        box.addEventListener("change", function () { form.requestSubmit ? form.requestSubmit() : form.submit(); });
        var label = document.createElement("label");
        label.htmlFor = id;
        label.textContent = entry.value + " (" + entry.count + ")";
        var row = document.createElement("div");
        row.appendChild(box); row.appendChild(label);
        fieldset.appendChild(row);
      });
      filtersEl.appendChild(fieldset);
    });
    if (focusFacet) {
      var first = document.getElementById("f-" + focusFacet + "-0");
      focusFacet = null;
      if (first) { first.focus(); }
    }
    if (!more.length) { return; }
    // Facets whose counts are not loaded yet: one button each, which fetches that facet's index.
    var fieldset = document.createElement("fieldset");
    var legend = document.createElement("legend");
    legend.textContent = "Filter by";
    fieldset.appendChild(legend);
    FACETS.forEach(function (facet) {
      if (more.indexOf(facet[0]) < 0) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "facet-load";
      button.setAttribute("data-facet", facet[0]);
      button.textContent = facet[2];
      button.addEventListener("click", function () {
        button.disabled = true;
        loadFacet(facet[0]).then(function () { focusFacet = facet[0]; run(); }, function (error) {
          button.disabled = false;
          statusEl.textContent = "Search failed: " + error.message;
        });
      });
      fieldset.appendChild(button);
    });
    filtersEl.appendChild(fieldset);
  }

  function showPager(total, page) {
    pagerEl.textContent = "";
    var pages = Math.ceil(total / PER_PAGE);
    if (pages < 2) { return; }
    [[page - 1, "← Previous"], [page + 1, "Next →"]].forEach(function (item) {
      if (item[0] < 1 || item[0] > pages) { return; }
      var next = params(); next.set("page", String(item[0]));
      var a = document.createElement("a");
      a.href = "?" + next.toString();
      a.textContent = item[1];
      pagerEl.appendChild(a);
    });
  }

  function viaApi(query, filters, page) {
    var q = new URLSearchParams({ q: query, page: String(page), limit: String(PER_PAGE) });
    Object.keys(filters).forEach(function (k) { filters[k].forEach(function (v) { q.append(k, v); }); });
    return fetch(api + "?" + q.toString()).then(function (r) {
      return r.json().then(function (data) { if (!r.ok) { throw new Error(data.error || r.statusText); } return data; });
    });
  }

  // A site built incrementally may carry a delta bundle (pagefind-delta/) of the articles changed
  // since the base bundle was made, and delta.json: "hidden" names the base's stale results
  // (with the filter values each adds to the counts), "replaces" pairs each delta result with
  // the stale result it replaces, whose score it takes (the delta's own index is too small for
  // comparable scores).
  var delta = form.getAttribute("data-delta");
  var shards = (form.getAttribute("data-shards") || "").split(" ").filter(Boolean);
  var hidden = {};
  var replaces = {};

  function loadPagefind() {
    if (pagefind) { return Promise.resolve(pagefind); }
    return import(root + "pagefind/pagefind.js").then(function (module) {
      // noWorker: the worker is a second copy of Pagefind's search code (about 40 KB) for a
      // search that takes milliseconds on the page itself.
      return module.options({ noWorker: true }).then(function () {
        // A large archive's base index comes as several bundles (shards): one result list.
        return shards.reduce(function (done, name) {
          return done.then(function () { return module.mergeIndex(root + "pagefind/" + name + "/"); });
        }, Promise.resolve());
      }).then(function () {
        if (!delta) { return null; }
        return fetch(root + "pagefind-delta/delta.json?v=" + encodeURIComponent(delta))
          .then(function (r) { if (!r.ok) { throw new Error("delta.json: " + r.status); } return r.json(); })
          .then(function (data) {
            hidden = data.hidden || {};
            replaces = data.replaces || {};
            return data.bundle ? module.mergeIndex(root + "pagefind-delta/") : null;
          });
      }).then(function () {
        pagefind = module;
        return module;
      });
    });
  }

  // The results without stale base ones, ranked with the scores they replace; the counts
  // without what the stale ones added.
  function current(search) {
    var byId = {};
    search.results.forEach(function (r) { byId[r.id] = r; });
    var counts = search.filters || {};
    var kept = [];
    search.results.forEach(function (r) {
      var stale = hidden[r.id];
      if (stale) {
        Object.keys(stale).forEach(function (name) {
          stale[name].forEach(function (value) {
            if (counts[name] && counts[name][value]) { counts[name][value] -= 1; }
          });
        });
        return;
      }
      var twin = replaces[r.id] && byId[replaces[r.id]];
      kept.push({ result: r, score: twin ? twin.score : r.score });
    });
    kept.sort(function (a, b) { return b.score - a.score; });
    return { results: kept.map(function (k) { return k.result; }), filters: counts };
  }

  // Pagefind returns counts for the filters whose index is loaded; a search only loads the
  // indexes of the filters it uses, so a preload naming one facet fetches just that facet's.
  function loadFacet(name) {
    var query = (params().get("q") || "").trim();
    var only = {};
    only[name] = [];
    return loadPagefind().then(function (pf) { return pf.preload(query, { filters: only }); })
      .then(function () { loadedFacets[name] = true; });
  }

  function viaPagefind(query, filters, page) {
    return loadPagefind().then(function (pf) {
      var pending = Object.keys(filters).length ? pf.search(query, { filters: filters }) : pf.search(query);
      return pending.then(function (found) {
        Object.keys(filters).forEach(function (name) { loadedFacets[name] = true; });
        var search = current(found);
        // Fragments (title, URL, excerpt) only for the page shown.
        var slice = search.results.slice((page - 1) * PER_PAGE, page * PER_PAGE);
        return Promise.all(slice.map(function (r) { return r.data(); })).then(function (items) {
          var facets = {};
          FACETS.forEach(function (facet) {
            var counts = (search.filters || {})[facet[0]] || {};
            facets[facet[1]] = Object.keys(counts).filter(function (k) { return counts[k] > 0; })
              .sort(function (a, b) { return counts[b] - counts[a] || (a < b ? -1 : 1); })
              .map(function (k) { return { value: k, count: counts[k] }; });
          });
          return {
            total: search.results.length,
            facets: facets,
            moreFacets: FACETS.map(function (f) { return f[0]; })
              .filter(function (name) { return !loadedFacets[name]; }),
            suggestion: null,
            hits: items.map(function (d) {
              return { title: (d.meta && d.meta.title) || d.url, url: d.url, date: d.meta && d.meta.date, snippet: d.excerpt };
            })
          };
        });
      });
    });
  }

  function run() {
    var p = params();
    var query = (p.get("q") || "").trim();
    input.value = query;
    if (!query) { statusEl.textContent = ""; return; }
    var page = Math.max(1, parseInt(p.get("page") || "1", 10) || 1);
    var filters = {};
    FACETS.forEach(function (facet) {
      var values = p.getAll(facet[0]);
      if (values.length) { filters[facet[0]] = values; }
    });
    statusEl.textContent = "Searching…";
    (api ? viaApi(query, filters, page) : viaPagefind(query, filters, page))
      .then(function (result) { show(result, query, page); })
      .catch(function (error) { statusEl.textContent = "Search failed: " + error.message; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var next = new URLSearchParams(new FormData(form));
    next.delete("page");
    window.history.pushState(null, "", "?" + next.toString());
    run();
  });
  window.addEventListener("popstate", run);
  run();
})();
