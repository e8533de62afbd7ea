// newsarchive search page: one UI, two engines. In `newsarchive serve` it asks /api/search (Whoosh);
// on a static host it asks the Pagefind bundle in pagefind/. Query and filters live in the URL.
// How the answers look is static/search-ui.js's business (loaded first).
// On a static host every byte counts: Pagefind runs on the page (no second copy of it in a web
// worker), a facet's filter index is fetched only when the reader asks for that facet (or filters
// by it), and only the shown page of results is fetched.
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  if (!form) { return; }
  var root = form.getAttribute("data-root") || "";
  var input = document.getElementById("search-q");
  var FACETS = [["author", "authors", "Authors"], ["person", "people", "People"],
                ["organization", "organizations", "Organizations"], ["place", "places", "Places"],
                ["tag", "tags", "Topics"], ["year", "year", "Year"]];
  var PER_PAGE = 10;
  var apiScript = document.querySelector("script[data-api]");
  var api = apiScript ? apiScript.getAttribute("data-api") : null;
  var pagefind = null;
  var loadedFacets = {};  // Pagefind filter indexes fetched so far, by URL parameter ("person"...)

  function params() { return new URLSearchParams(window.location.search); }

  function link(url) { return /^[a-z]+:/i.test(url) || url.charAt(0) === "/" ? url : root + url; }

  // How results look (static/search-ui.js): this file only asks the engines.
  var ui = window.NewsarchiveSearchUI({
    form: form, params: params, link: link, facets: FACETS, perPage: PER_PAGE,
    loadFacet: function (name) { return loadFacet(name).then(run); }
  });

  function viaApi(query, filters, page, limit) {
    var q = new URLSearchParams({ q: query, page: String(page), limit: String(limit || PER_PAGE) });
    Object.keys(filters).forEach(function (k) { filters[k].forEach(function (v) { q.append(k, v); }); });
    return fetch(api + "?" + q.toString()).then(function (r) {
      return r.json().then(function (data) {
        if (data.empty) { return emptyResult(query); }
        if (!r.ok) { throw new Error(data.error || r.statusText); }
        return data;
      });
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
    // The ranking reads the index files Pagefind fetches (static/search-engine.js).
    window.NewsarchiveQuery.watch(window);
    return import(root + "pagefind/pagefind.js").then(function (module) {
      // noWorker: the worker is a second copy of Pagefind's search code (about 40 KB) for a
      // search that takes milliseconds on the page itself.
      // Pagefind's own scores are not used: the page ranks (static/search-engine.js).
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
    return {
      results: kept.map(function (k) { return k.score === k.result.score ? k.result : Object.assign({}, k.result, { score: k.score }); }),
      filters: counts,
      unfilteredResultCount: search.unfilteredResultCount
    };
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

  // The query logic is static/search-engine.js (the index of record's syntax over Pagefind);
  // this shapes its answer as /api/search's.
  function viaPagefind(query, filters, page) {
    var engine = window.NewsarchiveQuery;
    var parsed = engine.parse(query);
    if (parsed.empty) { return Promise.resolve(emptyResult(query)); }
    return loadPagefind().then(function (pf) {
      return engine.run(pf, parsed, filters, current, hidden).then(function (found) {
        Object.keys(filters).forEach(function (name) { loadedFacets[name] = true; });
        // Fragments (title, URL, text) only for the page shown.
        var slice = found.results.slice((page - 1) * PER_PAGE, page * PER_PAGE);
        return Promise.all([
          Promise.all(slice.map(function (r) { return r.data(); })),
          engine.suggest(wordsFolder(), parsed, found.unknown)
        ]).then(function (done) {
          var facets = {};
          FACETS.forEach(function (facet) {
            var counts = found.filters[facet[0]] || {};
            facets[facet[1]] = Object.keys(counts).filter(function (k) { return counts[k] > 0; })
              .sort(function (a, b) { return counts[b] - counts[a] || (a < b ? -1 : 1); })
              .map(function (k) { return { value: k, count: counts[k] }; });
          });
          return {
            total: found.total,
            complete: found.complete,
            unknown: found.unknown,
            loosened: found.loosened,
            facets: facets,
            moreFacets: FACETS.map(function (f) { return f[0]; })
              .filter(function (name) { return !loadedFacets[name]; }),
            suggestion: done[1],
            hits: done[0].map(function (d, i) {
              return { title: (d.meta && d.meta.title) || d.url, url: d.url, date: d.meta && d.meta.date,
                       authors: (d.filters && d.filters.author) || [], snippet: excerpt(d, slice[i].words) };
            })
          };
        });
      });
    });
  }

  // Where the word list for "did you mean" is: the delta's (base words and the delta's) if any.
  function wordsFolder() { return root + (delta ? "pagefind-delta/" : "pagefind/"); }

  // A snippet as the index of record makes it: the text around the first matched word of the
  // body with every matched word marked, or the start of the body when only the title, byline
  // or names matched. The indexed text is the body, then those: `tail` words (search/static.py).
  function excerpt(data, locations) {
    var words = String(data.content || "").split(/[\r\n\s]+/);
    var body = words.length - parseInt((data.meta && data.meta.tail) || "0", 10);
    var inBody = locations.filter(function (l) { return l < body; });
    var start = inBody.length ? Math.max(0, inBody[0] - 10) : 0;
    var end = Math.min(body, start + 36);
    var marked = {};
    inBody.forEach(function (l) { marked[l] = true; });
    var out = [];
    for (var i = start; i < end; i++) {
      var w = words[i].replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
      out.push(marked[i] ? "<mark>" + w + "</mark>" : w);
    }
    return (start ? "… " : "") + out.join(" ") + (end < body ? " …" : "");
  }

  function emptyResult(query) {
    return { empty: true, total: 0, hits: [], facets: {}, moreFacets: [], suggestion: null, query: query };
  }

  // What the CLI prints beside the hits, after the line static/search-ui.js writes: how many
  // have every word, which words no article has; for an empty query, what to type.
  function explain(result, query) {
    var statusEl = document.getElementById("search-status");
    if (result.empty) {
      statusEl.textContent = "Nothing to search for in “" + query + "”: type some words (very common ones such as “the” are skipped, and -word only leaves articles out).";
      return;
    }
    var notes = [];
    if (result.loosened && result.loosened.length) {
      notes.push("No article has " + result.loosened.map(function (p) { return "“" + p + "”"; }).join(", ") +
        (result.loosened.length > 1 ? " together" : "") + ": searched without the quotes.");
    }
    if (result.total && result.complete !== undefined && result.complete !== result.total) {
      notes.push(result.complete + " with every word.");
    }
    if (result.unknown && result.unknown.length) {
      notes.push("No article has " + result.unknown.map(function (w) { return "“" + w + "”"; }).join(", ") + ".");
    }
    if (notes.length) { statusEl.textContent += " " + notes.join(" "); }
  }

  // For tests and benchmarks: every ranked result of a query on this page's engine, as URLs.
  window.newsarchiveSearch = function (query, filters) {
    if (api) {
      return viaApi(query, filters || {}, 1, 1000).then(function (r) {
        return { urls: r.hits.map(function (h) { return h.url; }), total: r.total, complete: r.complete,
                 unknown: r.unknown || [], loosened: r.loosened || [], suggestion: r.suggestion,
                 empty: !!r.empty };
      }, function (error) { return { error: error.message, urls: [], total: 0 }; });
    }
    var engine = window.NewsarchiveQuery;
    var parsed = engine.parse(query);
    if (parsed.empty) { return Promise.resolve({ empty: true, urls: [], total: 0 }); }
    return loadPagefind().then(function (pf) {
      return engine.run(pf, parsed, filters || {}, current, hidden).then(function (found) {
        return Promise.all([
          Promise.all(found.results.map(function (r) { return r.data(); })),
          engine.suggest(wordsFolder(), parsed, found.unknown)
        ]).then(function (done) {
          return { urls: done[0].map(function (d) { return d.url.replace(/^\//, ""); }), total: found.total,
                   complete: found.complete, unknown: found.unknown, loosened: found.loosened,
                   suggestion: done[1] };
        });
      });
    });
  };

  function run() {
    var p = params();
    var query = (p.get("q") || "").trim();
    input.value = query;
    if (!p.has("q") || !ui.available) { ui.status(""); return; }
    var page = Math.max(1, parseInt(p.get("page") || "1", 10) || 1);
    var filters = {};
    FACETS.forEach(function (facet) {
      var values = p.getAll(facet[0]);
      if (values.length) { filters[facet[0]] = values; }
    });
    ui.status("Searching…");
    (api ? viaApi(query, filters, page) : viaPagefind(query, filters, page))
      .then(function (result) { ui.show(result, query, page); explain(result, query); })
      .catch(function (error) { ui.status("Search failed: " + error.message); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var next = new URLSearchParams(new FormData(form));
    next.delete("page");
    window.history.pushState(null, "", "?" + next.toString());
    ui.newSearch();
    run();
  });
  window.addEventListener("popstate", run);
  run();
})();
