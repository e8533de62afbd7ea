"""Search (reader index, per build): which Pagefind bundles a build makes, run beside the build.

Pagefind reads one small input file per article (search/static.py `lean_document`), kept in
.build/pagefind/input/ and rewritten only for records that changed, so it can start as soon as
the records are loaded and run while the pages are rendered.

Pagefind has no incremental mode, and a full index of 10,000 articles takes it about 40 s. So
the site carries a **base** bundle (site/pagefind/, every article as of its last full index) and,
after small changes, a **delta** bundle (site/pagefind-delta/) of just the articles added or
changed since, with `delta.json` naming the base's stale results to hide and the filter values
to take off the counts. The search page merges the delta into the base (Pagefind's mergeIndex).
A delta grows with each change until it passes DELTA_SHARE of the archive; the build after that
indexes everything again into a new base, as does every full (staged) build.

Pagefind holds a whole index in memory while it writes it: about 280 MB per 1,000 articles. An
archive larger than `search_shard_pages` is therefore indexed as several base bundles (shards:
site/pagefind/ and site/pagefind/shard-1/, ...), one after another, never more than that many
articles at a time, so Pagefind's memory stays bounded. The search page merges them, as it does
the delta. A smaller archive is one bundle even on several cores (Pagefind indexes on one): each
shard costs a reader's query its own meta file and index chunk (at 10,000 articles, two shards
made the first query 305 KB and the second 119 KB). A full build is no slower for it: loading
and rendering keep both cores busy while Pagefind runs.

The state (.build/pagefind/state.marshal, with the base's result ids and filter values in a
file of their own: base_results.py) records what the bundles in site/ were made from; it is
written when the site holding them is swapped in, so a build killed at any point leaves a state
that describes site/ or a missing manifest, and then the next build is a full one.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import marshal
import os
import shlex
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from generator.children import tied_command
from generator.errors import SearchError
from generator.fsutil import atomic_write_bytes, atomic_write_text, replace_file
from generator.search.base_results import read_results, remove_other_results, write_results
from generator.search.documents import SCHEMA_VERSION
from generator.search.static import (
    BUNDLE_DIR,
    FILTERS,
    canonicalize_bundle,
    indexed_pages,
    lean_document,
    lean_document_path,
    pagefind_command,
)
from generator.search.static_words import count_words, read_counts, save_counts, write_words

if TYPE_CHECKING:
    from generator.config import Config
    from generator.render.catalog import Catalog, Entry

DELTA_DIR = "pagefind-delta"
DELTA_FILE = "delta.json"
# The largest delta, as a share of the archive (at least DELTA_MIN articles): past it, the base
# is indexed again. A delta costs a query one more small bundle and Pagefind ~5 ms an article.
DELTA_SHARE = 0.02
DELTA_MIN = 50
_STATE_VERSION = 2  # 2: result ids and filters moved to base_results
Mode = Literal["keep", "full", "delta", "drop-delta"]


def input_dir(config: Config) -> Path:
    return config.build_dir / "pagefind" / "input"


def _state_path(config: Config) -> Path:
    return config.build_dir / "pagefind" / "state.marshal"


def _words_path(config: Config) -> Path:
    """The base bundle's words with their article counts, for the word lists of a delta."""
    return config.build_dir / "pagefind" / "base-words.json"


def document_digest(entry: Entry, version: str, language: str) -> str:
    """What an article's Pagefind input file is made from (its card, its analysis, the language,
    and the fields and weights of the text, versioned with the index of record's)."""
    return hashlib.blake2b(
        f"{entry.card}.{entry.record}.{version}.{language}.{SCHEMA_VERSION}".encode(),
        digest_size=12,
    ).hexdigest()


def filter_values(entry: Entry) -> dict[str, list[str]]:
    """The Pagefind filters an article's page carries (what its results add to the counts)."""
    values = {name: list(entry.names(field)) for field, name in FILTERS if entry.names(field)}
    if entry.year:
        values["year"] = [entry.year]
    return values


@dataclass(slots=True)
class _State:
    """What the bundles in site/ were made from, and what the input files hold."""

    base: dict[str, str] = field(default_factory=dict)  # slug -> input digest, in the base
    delta: dict[str, str] = field(default_factory=dict)  # slug -> input digest, in the delta
    hidden: list[str] = field(default_factory=list)  # slugs whose base result the delta hides
    inputs: dict[str, str] = field(default_factory=dict)  # slug -> digest of its input file
    shards: int = 1  # base bundles: site/pagefind/ and site/pagefind/shard-1/ ... shard-(n-1)/
    results: str = ""  # the file of the base's result ids and filter values (base_results.py)

    @classmethod
    def load(cls, path: Path) -> _State | None:
        try:
            data = marshal.loads(path.read_bytes())
            if not isinstance(data, dict) or data.pop("version", None) != _STATE_VERSION:
                return None
            return cls(**data)
        except (OSError, ValueError, TypeError, EOFError):
            return None

    def save(self, path: Path) -> None:
        # Shallow: the fields are marshal-ready already (asdict's deep copy of 10,000 entries: 2 s).
        data = {"version": _STATE_VERSION, **{f.name: getattr(self, f.name) for f in fields(self)}}
        atomic_write_bytes(path, marshal.dumps(data))


class _Run:
    """Pagefind writing bundles (source folder -> output folder) one after another, so that only
    one index is in memory at a time: started now, waited for in finish()."""

    def __init__(self, jobs: Sequence[tuple[Path, Path]]) -> None:
        self.outputs = [output for _, output in jobs]
        for output in self.outputs:
            shutil.rmtree(output, ignore_errors=True)
        commands = [tied_command(pagefind_command(*job)) for job in jobs]
        if len(commands) == 1:
            command = commands[0]
        else:
            chain = " && ".join(shlex.join(c) for c in commands)
            command = tied_command(["/bin/sh", "-c", chain])
        first = jobs[0][1]
        self._log = first.with_name(first.name + ".log")
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )

    def wait(self, timeout: float = 3600) -> int:
        """Pages indexed, over every bundle. Raises SearchError when Pagefind fails."""
        try:
            code = self._process.wait(timeout)
        except subprocess.TimeoutExpired as exc:
            self.kill()
            raise SearchError(f"Pagefind did not finish within {timeout:.0f} s") from exc
        text = self._log.read_text(encoding="utf-8", errors="replace")
        self._log.unlink(missing_ok=True)
        if code != 0:
            self.kill()
            tail = text.strip().splitlines()[-3:]
            raise SearchError(f"Pagefind failed (exit {code}): {' | '.join(tail)}")
        pages = indexed_pages(text)
        for output in self.outputs:
            canonicalize_bundle(output)
        return pages

    def kill(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._log.unlink(missing_ok=True)
        for output in self.outputs:
            shutil.rmtree(output, ignore_errors=True)


def shard_dir(number: int) -> str:
    """Where base shard `number` (from 1; shard 0 is the bundle itself) lives in site/pagefind/."""
    return f"shard-{number}"


def split_shards(slugs: Sequence[str], count: int) -> list[list[str]]:
    """Sorted slugs in `count` runs of near-equal sizes (at least one run)."""
    ordered = sorted(slugs)
    count = max(1, count)
    size, extra = divmod(len(ordered), count)
    shards: list[list[str]] = []
    start = 0
    for number in range(count):
        end = start + size + (number < extra)
        shards.append(ordered[start:end])
        start = end
    return shards


def plan_shards(slugs: Sequence[str], most: int) -> list[list[str]]:
    """The base's shards: as few as hold at most `most` articles each (one, up to `most`)."""
    return split_shards(slugs, max(1, -(-len(slugs) // max(1, most))))


# Scratch names a build gives its Pagefind runs (with its pid): inputs, outputs and their logs.
_SCRATCH = ("shard-input-*", "delta-input-*", "bundle-*", "delta-*")


def _sweep_scratch(work: Path) -> None:
    """Remove what killed builds left of their Pagefind runs. Only one build of an archive runs
    at a time (the build lock), so every scratch folder found when one starts is stale."""
    for pattern in _SCRATCH:
        for path in work.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _result_ids(bundle: Path) -> dict[str, str]:
    """slug -> the result id (fragment hash) of its page in a bundle."""
    ids: dict[str, str] = {}
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(fragment.read_bytes())
        data = json.loads(raw[len(b"pagefind_dcd") :])
        url = str(data.get("url", ""))
        if url.startswith("/articles/"):
            ids[url[len("/articles/") :].strip("/")] = fragment.stem
    return ids


class StaticUpdate:
    """The reader index's part in one build (see the module docstring)."""

    def __init__(self, config: Config, catalog: Catalog, *, full: bool) -> None:
        self.config = config
        self.entries = {e.slug: e for e in catalog.entries}
        self.wanted = {
            slug: document_digest(e, catalog.version, config.language)
            for slug, e in self.entries.items()
        }
        self.state = _State.load(_state_path(config)) or _State()
        self._catalog = catalog
        self._run: _Run | None = None
        self._scratch: list[Path] = []
        self._next: _State | None = None
        state = self.state
        # Slugs whose base result is stale: changed, added or gone since the base was indexed.
        self.changed = sorted(
            {s for s, d in self.wanted.items() if state.base.get(s) != d}
            | {s for s in state.base if s not in self.wanted}
        )
        self.delta = {s: self.wanted[s] for s in self.changed if s in self.wanted}
        limit = max(DELTA_MIN, int(len(self.wanted) * DELTA_SHARE))
        self.mode: Mode
        if full or not state.base or len(self.changed) > limit:
            self.mode = "full"
        elif not self.changed:
            self.mode = "drop-delta" if state.delta or state.hidden else "keep"
        elif self.delta == state.delta and self.changed == state.hidden:
            self.mode = "keep"
        else:
            self.mode = "delta"
        # The base's shards: as they are, or as the full index about to be made will cut them.
        self.shards: list[list[str]] | None = None
        if self.mode == "full":
            self.shards = plan_shards(list(self.wanted), config.search_shard_pages)
        self.shard_count = len(self.shards) if self.shards is not None else state.shards

    @property
    def page_context(self) -> dict[str, str]:
        """What the search page is told of the bundles: the base's extra shards, the delta."""
        return {
            "search_shards": " ".join(shard_dir(n) for n in range(1, self.shard_count)),
            "search_delta": self.delta_version or "",
        }

    @property
    def delta_version(self) -> str | None:
        """Names the delta the site will carry (the search page loads it), None for none."""
        if self.mode in ("full", "drop-delta") or not self.changed:
            return None
        key = json.dumps([sorted(self.delta.items()), self.changed], separators=(",", ":"))
        return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()

    @property
    def changes_site(self) -> bool:
        return self.mode != "keep"

    @property
    def trees(self) -> tuple[str, ...]:
        """Folders of the site finish() replaces whole."""
        return {
            "full": (BUNDLE_DIR, DELTA_DIR),
            "delta": (DELTA_DIR,),
            "drop-delta": (DELTA_DIR,),
            "keep": (),
        }[self.mode]

    def _base_results(self) -> dict[str, tuple[str, dict[str, list[str]]]]:
        """slug -> (its result id in the base, its filter values there), for every stale one."""
        return read_results(_state_path(self.config).parent, self.state.results, self.changed)

    def _hidden(
        self, stale: Mapping[str, tuple[str, dict[str, list[str]]]]
    ) -> dict[str, dict[str, list[str]]]:
        """Base result id -> the filter values it adds to the counts, for every stale base result."""
        return {result: filters for result, filters in stale.values()}

    def start(self) -> None:
        """Bring the input files in line with the catalog and start Pagefind if needed."""
        folder = input_dir(self.config)
        inputs = dict(self.state.inputs)
        for slug in self._catalog.read:
            inputs[slug] = self.wanted[slug]  # load_catalog has just written these
        stale = [s for s, d in self.wanted.items() if inputs.get(s) != d]
        if stale:
            self._write_inputs(folder, stale)
            inputs.update({s: self.wanted[s] for s in stale})
        for slug in [s for s in inputs if s not in self.wanted]:
            shutil.rmtree(lean_document_path(folder, slug).parent, ignore_errors=True)
            del inputs[slug]
        self.inputs = inputs
        work = self.config.build_dir / "pagefind"
        _sweep_scratch(work)
        pid = os.getpid()
        if self.mode == "full" and self.shards is not None and len(self.shards) > 1:
            jobs = [
                (
                    self._linked(folder, work / f"shard-input-{pid}-{n}", shard),
                    work / f"bundle-{pid}-{n}",
                )
                for n, shard in enumerate(self.shards)
            ]
            self._run = _Run(jobs)
        elif self.mode == "full" and self.wanted:  # Pagefind refuses to index nothing
            self._run = _Run([(folder, work / f"bundle-{pid}")])
        elif self.mode == "delta" and self.delta:
            source = self._linked(folder, work / f"delta-input-{pid}", self.delta)
            self._run = _Run([(source, work / f"delta-{pid}")])

    def _linked(self, folder: Path, source: Path, slugs: Iterable[str]) -> Path:
        """A scratch input folder holding (hard links to) the input files of `slugs`."""
        shutil.rmtree(source, ignore_errors=True)
        self._scratch.append(source)
        for slug in slugs:
            target = lean_document_path(source, slug)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(lean_document_path(folder, slug), target)
        return source

    def _write_inputs(self, folder: Path, slugs: Sequence[str]) -> None:
        store = self._catalog.store
        assert store is not None
        entries = [self.entries[s] for s in slugs]
        cards = store.get_many("card", [e.card for e in entries])
        analyses = store.get_many("analysis", [e.store_key(self._catalog.version) for e in entries])
        for entry in entries:
            card = cards.get(entry.card)
            analysis = analyses.get(entry.store_key(self._catalog.version))
            if card is None or analysis is None:
                raise SearchError(
                    f"the build cache lacks {entry.slug}; run 'newsarchive build --clean'"
                )
            replace_file(
                lean_document_path(folder, entry.slug),
                lean_document(card, analysis, self.config.language),
            )

    def finish(self, site_folder: Path) -> int | None:
        """Wait for Pagefind and put the bundles into site_folder (a staged copy of the site)."""
        try:
            pages = self._run.wait() if self._run is not None else None
        except BaseException:
            self.abort()
            raise
        state = replace(self.state, inputs=self.inputs)
        if self.mode == "full" and self._run is None:  # an archive without articles
            shutil.rmtree(site_folder / BUNDLE_DIR, ignore_errors=True)
            shutil.rmtree(site_folder / DELTA_DIR, ignore_errors=True)
            self._next = _State(inputs=self.inputs)
            return 0
        if self.mode == "full":
            assert self._run is not None
            target = site_folder / BUNDLE_DIR
            shutil.rmtree(target, ignore_errors=True)  # in a staged copy only links go
            shutil.move(self._run.outputs[0], target)
            for number, output in enumerate(self._run.outputs[1:], start=1):
                shutil.move(output, target / shard_dir(number))
            shutil.rmtree(site_folder / DELTA_DIR, ignore_errors=True)
            shards = [target / shard_dir(n) for n in range(1, len(self._run.outputs))]
            words = count_words([target, *shards])
            write_words(target, words)
            save_counts(_words_path(self.config), words)
            return pages  # commit() reads the new base's result ids from the live site
        elif self.mode == "delta":
            target = site_folder / DELTA_DIR
            shutil.rmtree(target, ignore_errors=True)
            if self._run is not None:
                shutil.move(self._run.outputs[0], target)
            else:
                target.mkdir(parents=True)  # only deletions: nothing to add, something to hide
            # A result of the delta that replaces a stale base result ranks where the stale one
            # would have (when it matched too): the delta's own scores come from a tiny index.
            stale = self._base_results()
            replaces = {
                delta_id: stale[slug][0]
                for slug, delta_id in _result_ids(target).items()
                if slug in stale
            }
            delta = {
                "bundle": self._run is not None,
                "hidden": self._hidden(stale),
                "replaces": replaces,
            }
            atomic_write_text(
                target / DELTA_FILE, json.dumps(delta, sort_keys=True, separators=(",", ":"))
            )
            # The base's words and the delta's (a word of an edited-away text may stay listed
            # until the next full index: a suggestion that then finds nothing, never a miss).
            write_words(target, read_counts(_words_path(self.config)) + count_words([target]))
            state = replace(state, delta=self.delta, hidden=self.changed)
        elif self.mode == "drop-delta":
            shutil.rmtree(site_folder / DELTA_DIR, ignore_errors=True)
            state = replace(state, delta={}, hidden=[])
        self._next = state
        return pages

    def commit(self) -> None:
        """Record what the site now holds (called once the new site is in place), and remove
        the scratch input folders. After a full index that means reading each new result's id
        from the bundles: 10,000 fragments, a second the site need not wait for."""
        if self.mode == "full" and self._run is not None:
            self._next = self._full_state(self.config.site_dir / BUNDLE_DIR)
        if self._next is not None:
            path = _state_path(self.config)
            self._next.save(path)
            remove_other_results(path.parent, self._next.results)
        self._cleanup()

    def _full_state(self, bundle: Path) -> _State:
        assert self._run is not None
        ids = _result_ids(bundle)
        for number in range(1, len(self._run.outputs)):
            ids.update(_result_ids(bundle / shard_dir(number)))
        entries = self.entries
        results = write_results(
            _state_path(self.config).parent,
            {s: i for s, i in ids.items() if s in entries},
            lambda slug: filter_values(entries[slug]),
        )
        return _State(
            base=dict(self.wanted),
            inputs=self.inputs,
            shards=len(self._run.outputs),
            results=results,
        )

    def abort(self) -> None:
        if self._run is not None:
            self._run.kill()
        self._cleanup()

    def _cleanup(self) -> None:
        for folder in self._scratch:
            shutil.rmtree(folder, ignore_errors=True)
        self._scratch.clear()
