// newsarchive search, query logic for a static host: the query syntax of the index of record
// (generator/search/query_syntax.py: the same rules, tested against it in Chromium) run over the
// Pagefind bundle. The page's layout and controls are static/search.js; this file only answers
// "which articles, in which order, and did you mean".
//
// Pagefind requires every word and ranks a quoted query without scores. So each word is asked
// for on its own: in quotes for which articles have exactly that word (no longer words that
// start with it), and plain for Pagefind's BM25 score of it; an article's score is the sum over
// the query's words it has, plus the coordination bonus of the index of record (SCALE), so that
// articles with every word of a short query come first and articles with some are still found.
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
  // Pagefind's BM25 set as the index of record's (k1 1.2, b 0.75), and longer words that start
  // with the one asked for weighed next to nothing.
  var RANKING = { termSaturation: 1.2, pageLength: 0.75, termFrequency: 1.0, termSimilarity: 10.0 };

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

  // Run a parsed query over Pagefind. `adjust(search)` drops a delta bundle's stale results
  // (static/search.js). Resolves to {results: [{id, score, words, data}], total, complete,
  // unknown, filters} with results best first.
  function run(pagefind, query, filters, adjust) {
    var options = Object.keys(filters || {}).length ? { filters: filters } : {};
    var units = query.words.map(function (w) { return { words: [w], phrase: false }; })
      .concat(query.phrases.map(function (p) { return { words: p, phrase: true }; }));
    var indexed = [];
    units.forEach(function (u) {
      u.words.forEach(function (w) { if (isIndexed(w) && indexed.indexOf(w) < 0) { indexed.push(w); } });
    });
    function ask(term, opts) {
      return pagefind.search(term, opts).then(function (found) { return adjust ? adjust(found) : found; });
    }
    var phrases = units.filter(function (u) { return u.phrase; });
    return Promise.all([
      Promise.all(indexed.map(function (w) { return ask('"' + w + '"', options); })),
      Promise.all(indexed.map(function (w) { return ask(w, options); })),
      Promise.all(phrases.map(function (u) { return ask('"' + key(u.words) + '"', options); })),
      Promise.all(query.excluded.map(function (words) { return ask('"' + key(words) + '"', {}); }))
    ]).then(function (all) {
      var exact = {}, scores = {};
      indexed.forEach(function (w, i) {
        exact[w] = all[0][i];
        var s = scores[w] = {};
        all[1][i].results.forEach(function (r) { s[r.id] = r.score; });
      });
      var byId = {};
      var found = units.map(function (u) { return u.phrase ? all[2][phrases.indexOf(u)] : exact[u.words[0]]; });
      found.forEach(function (search, i) {
        var unit = units[i];
        search.results.forEach(function (r) {
          var e = byId[r.id];
          if (!e) { e = byId[r.id] = { id: r.id, score: 0, matched: 0, phrases: 0, words: [], data: r.data }; }
          e.matched += 1;
          if (unit.phrase) { e.phrases += 1; }
          unit.words.forEach(function (w) { e.score += (scores[w] || {})[r.id] || 0; });
          e.words = e.words.concat(r.words || []);
        });
      });
      var dropped = {};
      all[3].forEach(function (search) { search.results.forEach(function (r) { dropped[r.id] = true; }); });
      var results = [];
      Object.keys(byId).forEach(function (id) {
        var e = byId[id];
        if (dropped[id] || e.phrases < phrases.length) { return; }
        e.score += Math.max(0, e.matched - 1) / Math.pow(Math.max(1, units.length) - SCALE, 2);
        e.words.sort(function (a, b) { return a - b; });
        results.push(e);
      });
      results.sort(function (a, b) { return b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0); });
      // Facet counts: exact for one word or phrase; for more, the largest count among them
      // (a lower bound: an article counts once however many of the words it has).
      var counts = {};
      found.forEach(function (search) {
        var f = search.filters || {};
        Object.keys(f).forEach(function (name) {
          counts[name] = counts[name] || {};
          Object.keys(f[name]).forEach(function (value) {
            counts[name][value] = Math.max(counts[name][value] || 0, f[name][value]);
          });
        });
      });
      // Words no article has (asked again without the filters, when the filters emptied them).
      var empty = indexed.filter(function (w) { return !exact[w].results.length; });
      var unknown = options.filters
        ? Promise.all(empty.map(function (w) { return ask('"' + w + '"', {}); }))
          .then(function (again) { return empty.filter(function (w, i) { return !again[i].results.length; }); })
        : Promise.resolve(empty);
      return unknown.then(function (words) {
        return {
          results: results,
          total: results.length,
          complete: results.filter(function (e) { return e.matched === units.length; }).length,
          unknown: words.sort(),
          filters: counts
        };
      });
    });
  }

  global.NewsarchiveQuery = {
    parse: parse, run: run, suggest: suggest, editDistance: editDistance, correct: correct,
    fold: fold, RANKING: RANKING, STOP_WORDS: STOP_WORDS
  };
})(window);
