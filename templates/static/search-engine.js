// newsarchive search, query logic for a static host: the query syntax of the index of record
// (generator/search/query_syntax.py: the same rules, tested against it in Chromium) run over the
// Pagefind bundle. The page's layout and controls are static/search.js; this file only answers
// "which articles, in which order, and did you mean".
//
// Pagefind requires every word, and its plain search scores every indexed word that starts with
// the query word's stem on its own (a common stem with many endings outweighs a rare word). So
// each word is asked for on its own, in quotes: which articles have exactly that word (its stem),
// and the page ranks them as the index of record does (generator/search/scorer.py): one unit per
// stem ("test tests" is one), BM25 (k1 1.2, b 0.75, Robertson-Sparck Jones idf over the bundle's
// pages) of the word's weighted count on the article (data-pagefind-weight of where each
// occurrence falls: body x1, title x4, byline x2), normalised by the article's length, plus the
// coordination bonus (SCALE), so that articles with every word of a short query come first and
// articles with some are still found. Pagefind's API gives neither the counts nor the lengths
// (an exact search names the first occurrence only), so they are read from the files Pagefind
// itself fetched (its meta index: each page's word count; its index chunks: each word's pages
// and weighted locations), kept as they arrive (watch): no request is added.
// "Phrases" are required (Pagefind's quoted search: adjacent, in order); -word and NOT word
// leave articles out. A word no article has is named, and corrected from the bundle's word
// list (words/<first letter>.json, written at build time, fetched only then).
(function (global) {
  "use strict";
  var STOP_WORDS = ("a an and are as at be by can for from have if in is it may not of on or tbd" +
    " that the this to us we when will with yet you your").split(" ");
  var WORD = /[\p{L}\p{N}_]+(?:\.?[\p{L}\p{N}_]+)*/gu;
  var ITEM = /(-?)"([^"]*)"?|(\S+)/g;
  var FIELD_PREFIX = /^\p{L}+:(?=.)/u;
  var SCALE = 0.9;
  var K1 = 1.2, B = 0.75;  // scorer.py's BM25

  function fold(text) {
    return String(text).toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "");
  }

  function wordsOf(text) { return fold(text).match(WORD) || []; }

  function isIndexed(word) { return word.length > 1 && STOP_WORDS.indexOf(word) < 0; }

  function key(words) { return words.join(" "); }

  // The Query of query_syntax.parse_query: {text, words, phrases, excluded}.
  function parse(text) {
    var words = [], phrases = [], excluded = [], seen = {}, negateNext = false, m;
    text = String(text || "");
    ITEM.lastIndex = 0;
    while ((m = ITEM.exec(text)) !== null) {
      var minus = m[1], quoted = m[2], bare = m[3], found;
      if (bare === "AND" || bare === "OR") { negateNext = false; continue; }
      if (bare === "NOT") { negateNext = true; continue; }
      var negated = negateNext || !!minus;
      negateNext = false;
      if (quoted !== undefined) {
        found = wordsOf(quoted);
        if (!found.some(isIndexed)) { continue; }
        if (negated) {
          if (!seen["-" + key(found)]) { seen["-" + key(found)] = true; excluded.push(found); }
        } else if (!seen[key(found)]) {
          seen[key(found)] = true;
          phrases.push(found);
        }
        continue;
      }
      if (bare.charAt(0) === "-" && bare.length > 1) { negated = true; bare = bare.slice(1); }
      found = wordsOf(bare.replace(FIELD_PREFIX, ""));
      if (negated) {
        if (found.some(isIndexed) && !seen["-" + key(found)]) {
          seen["-" + key(found)] = true;
          excluded.push(found);
        }
        continue;
      }
      found.forEach(function (w) { if (isIndexed(w) && words.indexOf(w) < 0) { words.push(w); } });
    }
    return { text: text, words: words, phrases: phrases, excluded: excluded,
             empty: !words.length && !phrases.length };
  }

  // Optimal string alignment distance, as generator/search/spelling.py computes it.
  function editDistance(a, b) {
    if (a === b) { return 0; }
    var before = [], previous = [], i, j;
    for (j = 0; j <= b.length; j++) { previous.push(j); }
    for (i = 1; i <= a.length; i++) {
      var current = [i];
      for (j = 1; j <= b.length; j++) {
        var cost = a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1;
        var best = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) === b.charAt(j - 2) && a.charAt(i - 2) === b.charAt(j - 1)) {
          best = Math.min(best, before[j - 2] + 1);
        }
        current.push(best);
      }
      before = previous;
      previous = current;
    }
    return previous[b.length];
  }

  function maxDistance(word) { return word.length <= 4 ? 1 : 2; }

  // The nearest word of a word list ({w: [...], n: [...]}) by edit distance, then the most
  // common, then the first alphabetically; null when none is near enough.
  function correct(list, word) {
    var limit = maxDistance(word), best = null;
    for (var i = 0; i < list.w.length; i++) {
      var other = list.w[i];
      if (other === word || Math.abs(other.length - word.length) > limit) { continue; }
      var d = editDistance(word, other);
      if (d > limit) { continue; }
      var candidate = [d, -list.n[i], other];
      if (!best || candidate[0] < best[0] || (candidate[0] === best[0] &&
          (candidate[1] < best[1] || (candidate[1] === best[1] && candidate[2] < best[2])))) {
        best = candidate;
      }
    }
    return best ? best[2] : null;
  }

  function wordListName(word) {
    var first = word.charAt(0);
    return /^[a-z0-9]$/.test(first) ? first : "other";
  }

  // The query as typed with each unknown word replaced by its correction, or null.
  function suggest(folder, query, unknown) {
    if (!unknown.length) { return Promise.resolve(null); }
    var names = {};
    unknown.forEach(function (w) { names[wordListName(w)] = true; });
    var lists = {};
    return Promise.all(Object.keys(names).map(function (name) {
      return fetch(folder + "words/" + name + ".json")
        .then(function (r) { return r.ok ? r.json() : { w: [], n: [] }; })
        .catch(function () { return { w: [], n: [] }; })
        .then(function (list) { lists[name] = list; });
    })).then(function () {
      var corrections = {}, any = false;
      unknown.forEach(function (w) {
        var found = correct(lists[wordListName(w)], w);
        if (found) { corrections[w] = found; any = true; }
      });
      if (!any) { return null; }
      var text = query.text.replace(/[\p{L}\p{N}_]+(?:\.?[\p{L}\p{N}_]+)*/gu, function (token) {
        return Object.prototype.hasOwnProperty.call(corrections, fold(token)) ? corrections[fold(token)] : token;
      });
      return text !== query.text ? text : null;
    });
  }

  // ---- Pagefind's own files: its meta index (pages, word counts) and index chunks (words) ----

  var files = {};    // absolute URL of a meta index or index chunk -> Promise of its bytes
  var decoded = {};  // the same URL -> Promise of its content, decoded once

  // Keep a copy of every meta index and index chunk Pagefind fetches (call before it loads):
  // the ranking reads them, and no request is added for it.
  function watch(scope) {
    var original = scope.fetch;
    if (!original || original.newsarchiveWatch) { return; }
    var watched = function (input) {
      var answer = original.apply(this, arguments);
      var url = new URL(typeof input === "string" ? input : input.url, scope.location.href);
      if (/\.pf_(meta|index)$/.test(url.pathname)) {
        // Registered before the caller's own handler, so the copy is taken before it reads.
        files[url.origin + url.pathname] = answer.then(function (r) { return r.clone().arrayBuffer(); });
      }
      return answer;
    };
    watched.newsarchiveWatch = true;
    scope.fetch = watched;
  }

  var SIGNATURE = "pagefind_dcd";

  function signed(bytes) { return String.fromCharCode.apply(null, bytes.subarray(0, 12)) === SIGNATURE; }

  // A Pagefind data file's CBOR bytes: gzip (unless the server already undid it) then a signature.
  function unpack(buffer) {
    var bytes = new Uint8Array(buffer);
    if (signed(bytes)) { return Promise.resolve(bytes.subarray(12)); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer().then(function (raw) {
      var out = new Uint8Array(raw);
      if (!signed(out)) { throw new Error("not a Pagefind data file"); }
      return out.subarray(12);
    });
  }

  // CBOR (RFC 8949) as Pagefind writes it: definite lengths, integers, strings, arrays, maps.
  function cbor(bytes) {
    var view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), at = 0;
    var text = new TextDecoder();
    function size(info) {
      if (info < 24) { return info; }
      at += [1, 2, 4, 8][info - 24];
      if (info === 24) { return view.getUint8(at - 1); }
      if (info === 25) { return view.getUint16(at - 2); }
      if (info === 26) { return view.getUint32(at - 4); }
      if (info === 27) { return view.getUint32(at - 8) * 4294967296 + view.getUint32(at - 4); }
      throw new Error("CBOR: indefinite length");
    }
    function item() {
      var head = view.getUint8(at++), major = head >> 5, info = head & 31, n, out, i;
      if (major === 7) {
        if (info === 26) { at += 4; return view.getFloat32(at - 4); }
        if (info === 27) { at += 8; return view.getFloat64(at - 8); }
        return [false, true, null, undefined][info - 20];
      }
      n = size(info);
      if (major === 0) { return n; }
      if (major === 1) { return -1 - n; }
      if (major === 2 || major === 3) {
        at += n;
        return major === 2 ? bytes.subarray(at - n, at) : text.decode(bytes.subarray(at - n, at));
      }
      if (major === 4) { out = []; for (i = 0; i < n; i++) { out.push(item()); } return out; }
      if (major === 5) { out = {}; for (i = 0; i < n; i++) { var k = item(); out[k] = item(); } return out; }
      return item();  // a tag: its content
    }
    return item();
  }

  function decode(url) {
    if (!decoded[url]) { decoded[url] = files[url].then(unpack).then(cbor); }
    return decoded[url];
  }

  // What the ranking needs of the bundles Pagefind has loaded (base, shards, delta): each page's
  // word count by its id, and each bundle's words from the chunks fetched so far. Pages of the
  // base that a delta replaces (`stale`) count for nothing. null when the files are not there.
  function bundleIndex(stale) {
    var urls = Object.keys(files);
    return Promise.all(urls.filter(function (u) { return /\.pf_meta$/.test(u); }).map(function (url) {
      var folder = url.slice(0, url.lastIndexOf("/") + 1);
      var chunks = urls.filter(function (u) {
        return u.indexOf(folder + "index/") === 0 && u.indexOf("/", folder.length + 6) < 0;
      });
      return Promise.all([decode(url)].concat(chunks.map(decode))).then(function (all) {
        var words = {};
        all.slice(1).forEach(function (chunk) { chunk[0].forEach(function (w) { words[w[0]] = w[1]; }); });
        return { pages: all[0][1], words: words };
      });
    })).then(function (bundles) {
      if (!bundles.length) { return null; }
      var byId = {}, n = 0, total = 0;
      bundles.forEach(function (bundle) {
        bundle.pages.forEach(function (page, i) {
          byId[page[0]] = { bundle: bundle, index: i, length: page[1] };
          if (!stale[page[0]]) { n += 1; total += page[1]; }
        });
      });
      return { bundles: bundles, byId: byId, n: n, average: n ? total / n : 1, stale: stale };
    }).catch(function () { return null; });
  }

  // A word's postings in one bundle, as Pagefind encodes them: page numbers as differences; on
  // each page, locations as differences, a negative number -(w + 1) setting the weight (w / 24)
  // of the locations after it and starting them afresh. -> {page: {weight, at: [location...]}}
  function postings(list) {
    var out = {}, page = 0;
    list.forEach(function (entry) {
      page += entry[0];
      var weight = 1, last = 0, sum = 0, at = [];
      entry[1].forEach(function (v) {
        if (v < 0) { weight = (-v - 1) / 24; last = 0; return; }
        last += v;
        at.push(last);
        sum += weight;
      });
      out[page] = { weight: sum, at: at, first: weight };
    });
    return out;
  }

  // The first location of a word on a page (what an exact search names), or -1.
  function firstAt(list, index) {
    var page = 0;
    for (var i = 0; i < list.length; i++) {
      page += list[i][0];
      if (page > index) { return -1; }
      if (page === index) {
        var locations = list[i][1];
        for (var j = 0; j < locations.length; j++) { if (locations[j] >= 0) { return locations[j]; } }
        return -1;
      }
    }
    return -1;
  }

  // The indexed word (stem) an exact search of `word` found: the one at the location it names
  // on its first results' pages (a compound's parts share a location: the nearest spelling wins).
  function stemOf(index, word, results) {
    var candidates = null;
    results.slice(0, 3).forEach(function (r, i) {
      var page = index.byId[r.id];
      if (!page || !r.words || !r.words.length) { candidates = []; return; }
      var words = page.bundle.words;
      function there(k) { return words[k] && firstAt(words[k], page.index) === r.words[0]; }
      if (i === 0) {
        // A stem keeps the word's first letter (suffixes change): those first, then the rest.
        var keys = Object.keys(words);
        candidates = keys.filter(function (k) { return k.charAt(0) === word.charAt(0) && there(k); });
        if (!candidates.length) { candidates = keys.filter(there); }
      } else {
        candidates = candidates.filter(there);
      }
    });
    if (!candidates || !candidates.length) {
      // An exact search that names no location (Pagefind does so for some numbers): the word
      // itself, when a bundle has it.
      var listed = index.bundles.some(function (b) { return b.words[word]; });
      return results.length && !(results[0].words || []).length && listed ? word : null;
    }
    function shared(k) { var i = 0; while (i < k.length && k.charAt(i) === word.charAt(i)) { i++; } return i; }
    return candidates.sort(function (a, b) { return shared(b) - shared(a) || a.length - b.length; })[0];
  }

  // Every live page with an indexed word: {pages: {id: {weight, at, length}}, df}.
  function pagesOf(index, stem) {
    var pages = {}, df = 0;
    index.bundles.forEach(function (bundle) {
      var list = bundle.words[stem];
      if (!list) { return; }
      var found = postings(list);
      Object.keys(found).forEach(function (i) {
        var page = bundle.pages[i];
        if (!page || index.stale[page[0]]) { return; }
        df += 1;
        pages[page[0]] = { weight: found[i].weight, at: found[i].at, length: page[1] };
      });
    });
    return { pages: pages, df: df };
  }

  // BM25 of a unit on a page: scorer.py's formula over the page's weighted count and length.
  function bm25(n, df, weight, length, average) {
    var idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    var f = weight / ((1 - B) + B * length / average);
    return idf * f * (K1 + 1) / (f + K1);
  }

  // How often a phrase occurs on a page, from its words' locations (a common word between them
  // holds its place, as in the index of record), and the weight where it starts.
  function phraseCount(placed, id) {
    var starts = null, weight = 1;
    placed.forEach(function (p) {
      var on = p.data.pages[id];
      var here = {};
      (on ? on.at : []).forEach(function (l) { here[l - p.offset] = true; });
      starts = starts === null ? here : Object.keys(starts).reduce(function (kept, s) {
        if (here[s]) { kept[s] = true; }
        return kept;
      }, {});
      if (on && on.at.length) { weight = on.weight / on.at.length; }
    });
    var count = starts ? Object.keys(starts).length : 0;
    return count ? count * weight : 1;  // Pagefind found it: at least once
  }

  // Run a parsed query over Pagefind. `adjust(search)` drops a delta bundle's stale results and
  // `stale` names them (static/search.js). Resolves to {results: [{id, score, words, data}],
  // total, complete, unknown, filters} with results best first.
  function run(pagefind, query, filters, adjust, stale) {
    var options = Object.keys(filters || {}).length ? { filters: filters } : {};
    var indexed = [];
    query.words.concat.apply(query.words, query.phrases).forEach(function (w) {
      if (isIndexed(w) && indexed.indexOf(w) < 0) { indexed.push(w); }
    });
    function ask(term, opts) {
      return pagefind.search(term, opts).then(function (found) { return adjust ? adjust(found) : found; });
    }
    var loosened = [];
    return Promise.all([
      Promise.all(indexed.map(function (w) { return ask('"' + w + '"', options); })),
      Promise.all(query.phrases.map(function (p) { return ask('"' + key(p) + '"', options); })),
      Promise.all(query.excluded.map(function (words) { return ask('"' + key(words) + '"', {}); }))
    ]).then(function (all) {
      // A phrase no article has (asked again without the filters, when they emptied it) is
      // searched as its words instead, and so are all the phrases when no article has them
      // together, as scorer.evaluate does; the answer names them.
      var asked = query.phrases;
      var empty = asked.filter(function (p, i) { return !all[1][i].results.length; });
      var none = options.filters
        ? Promise.all(empty.map(function (p) { return ask('"' + key(p) + '"', {}); }))
          .then(function (again) { return empty.filter(function (p, i) { return !again[i].results.length; }); })
        : Promise.resolve(empty);
      return none.then(function (gone) {
        var kept = asked.filter(function (p) { return gone.indexOf(p) < 0; });
        if (kept.length < 2) { return gone; }
        var filtered = kept.map(function (p) { return all[1][asked.indexOf(p)]; });
        if (together(filtered)) { return gone; }
        if (!options.filters) { return asked; }
        return Promise.all(kept.map(function (p) { return ask('"' + key(p) + '"', {}); }))
          .then(function (again) { return together(again) ? gone : asked; });
      }).then(function (gone) {
        loosened = gone;
        if (!gone.length) { return all; }
        var kept = asked.filter(function (p) { return gone.indexOf(p) < 0; });
        var words = query.words.slice();
        gone.forEach(function (p) {
          p.forEach(function (w) { if (isIndexed(w) && words.indexOf(w) < 0) { words.push(w); } });
        });
        query = Object.assign({}, query, { words: words, phrases: kept });
        return [all[0], kept.map(function (p) { return all[1][asked.indexOf(p)]; }), all[2]];
      });
    }).then(function (all) {
      return bundleIndex(stale || {}).then(function (index) {
        return index ? index : pagefind.search(null, {}).then(function (every) {
          // A search by filters alone, with none, lists every page.
          return { bundles: [], byId: {}, n: every.results.length, average: 1, stale: {} };
        });
      }).then(function (index) { return rank(index, query, all, indexed); });
    }).then(function (ranked) {
      var exact = ranked.exact;
      // Words no article has (asked again without the filters, when the filters emptied them).
      var empty = indexed.filter(function (w) { return !exact[w].results.length; });
      var unknown = options.filters
        ? Promise.all(empty.map(function (w) { return ask('"' + w + '"', {}); }))
          .then(function (again) { return empty.filter(function (w, i) { return !again[i].results.length; }); })
        : Promise.resolve(empty);
      return unknown.then(function (words) {
        ranked.answer.unknown = words.sort();
        ranked.answer.loosened = loosened.map(key);
        return ranked.answer;
      });
    });
  }

  // Whether some article is in every one of these searches' results.
  function together(searches) {
    var ids = {};
    searches[0].results.forEach(function (r) { ids[r.id] = true; });
    searches.slice(1).forEach(function (search) {
      var next = {};
      search.results.forEach(function (r) { if (ids[r.id]) { next[r.id] = true; } });
      ids = next;
    });
    return Object.keys(ids).length > 0;
  }

  // The units of a query (its words, one per stem, then its phrases), scored on each article.
  function rank(index, query, all, indexed) {
    var exact = {}, stems = {}, data = {};
    indexed.forEach(function (w, i) {
      exact[w] = all[0][i];
      stems[w] = index.bundles.length ? stemOf(index, w, exact[w].results) : null;
      if (stems[w] && !data[stems[w]]) { data[stems[w]] = pagesOf(index, stems[w]); }
    });
    var units = [], seen = {};
    query.words.forEach(function (w) {
      var id = stems[w] ? "=" + stems[w] : "~" + w;
      if (seen[id]) { return; }
      seen[id] = true;
      units.push({ words: [w], phrase: false, search: exact[w], data: stems[w] ? data[stems[w]] : null });
    });
    query.phrases.forEach(function (p, i) {
      var placed = [];
      p.forEach(function (w, offset) {
        if (stems[w]) { placed.push({ offset: offset, data: data[stems[w]] }); }
      });
      units.push({ words: p, phrase: true, search: all[1][i], placed: placed });
    });
    var byId = {};
    units.forEach(function (unit) {
      var df = unit.data ? unit.data.df : unit.search.unfilteredResultCount || unit.search.results.length;
      unit.search.results.forEach(function (r) {
        var e = byId[r.id];
        if (!e) { e = byId[r.id] = { id: r.id, score: 0, matched: 0, phrases: 0, words: [], data: r.data }; }
        var page = index.byId[r.id];
        var length = page ? page.length : index.average;
        var on = unit.data && unit.data.pages[r.id];
        var weight = unit.phrase ? phraseCount(unit.placed, r.id) : on ? on.weight : 1;
        e.matched += 1;
        if (unit.phrase) { e.phrases += 1; }
        e.score += bm25(index.n, Math.max(df, 1), weight, length, index.average);
        Array.prototype.push.apply(e.words, on ? on.at : r.words || []);
      });
    });
    var phrases = query.phrases.length;
    var dropped = {};
    all[2].forEach(function (search) { search.results.forEach(function (r) { dropped[r.id] = true; }); });
    var results = [];
    Object.keys(byId).forEach(function (id) {
      var e = byId[id];
      if (dropped[id] || e.phrases < phrases) { return; }
      e.score += Math.max(0, e.matched - 1) / Math.pow(Math.max(1, units.length) - SCALE, 2);
      e.words = e.words.sort(function (a, b) { return a - b; })
        .filter(function (l, i, a) { return !i || l !== a[i - 1]; });
      results.push(e);
    });
    results.sort(function (a, b) { return b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0); });
    // Facet counts: exact for one word or phrase; for more, the largest count among them
    // (a lower bound: an article counts once however many of the words it has).
    var counts = {};
    units.forEach(function (unit) {
      var f = unit.search.filters || {};
      Object.keys(f).forEach(function (name) {
        counts[name] = counts[name] || {};
        Object.keys(f[name]).forEach(function (value) {
          counts[name][value] = Math.max(counts[name][value] || 0, f[name][value]);
        });
      });
    });
    return {
      exact: exact,
      answer: {
        results: results,
        total: results.length,
        complete: results.filter(function (e) { return e.matched === units.length; }).length,
        filters: counts
      }
    };
  }

  global.NewsarchiveQuery = {
    parse: parse, run: run, watch: watch, suggest: suggest, editDistance: editDistance, correct: correct,
    fold: fold, STOP_WORDS: STOP_WORDS
  };
})(window);
