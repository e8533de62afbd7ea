"""Command line: parse arguments, load config, call the pipeline, print, return an exit code."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from generator import __version__
from generator.config import CONFIG_NAME, Config, load_config
from generator.errors import ConfigError, GeneratorError, Problem, SearchError
from generator.limits import query_problem

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

_CONFIG_TEMPLATE = """\
# newsarchive configuration. Every key is optional; these are the defaults.
title = "{title}"
description = "An annotated archive of collected news articles."
# Where the site will be published. Feeds and the sitemap need the absolute address;
# pages link relatively, so the site also works under a sub-path or from a local server.
base_url = "http://127.0.0.1:8000/"
language = "en"
per_page = 20
feed_items = 20
raw_dir = "content/raw"            # inputs (.txt, .html, .md), never modified
articles_dir = "content/articles"  # one Markdown file per article: the durable record
site_dir = "site"                  # build output, replaced as a whole on every build
templates_dir = "templates"        # files here override the default theme by name
max_input_mb = 20
"""


class _Progress:
    """One updating line on stderr while a stage runs, only when stderr is a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty() and not os.environ.get("CI")

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.enabled and total:
            end = "\n" if done >= total else ""
            self.stream.write(f"\r{stage}: {done}/{total}{end}")
            self.stream.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsarchive", description="Build an annotated, searchable static news archive."
    )
    parser.add_argument(
        "--root", type=Path, default=Path(), help="archive folder (default: current folder)"
    )
    parser.add_argument("--version", action="version", version=f"newsarchive {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what each stage does")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    init = commands.add_parser("init", help="create a new archive folder")
    init.add_argument("dir", type=Path)
    init.add_argument("--title", default="News archive")
    commands.add_parser("ingest", help="clean raw inputs into content/articles/")
    build = commands.add_parser(
        "build", help="ingest if needed, then build site/ and the search index"
    )
    build.add_argument(
        "--clean", action="store_true", help="re-ingest every input, not only changed ones"
    )
    build.add_argument("--strict", action="store_true", help="treat warnings as failures (exit 1)")
    serve = commands.add_parser(
        "serve", help="build, watch and preview on 127.0.0.1 with live reload"
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: loopback only)"
    )
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--no-watch", action="store_true", help="serve without rebuilding on changes"
    )
    commands.add_parser(
        "check", help="validate records, editor-note anchors and the built site's links"
    )
    search = commands.add_parser(
        "search",
        help="search the archive's index",
        description='Words: all count, articles with all of them first; "a phrase": required, '
        "in this order; -word or NOT word: leave out. Case, accents and word endings do not matter.",
    )
    search.add_argument("query", help="what to look for (a -word in it is not an option)")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--json", action="store_true", help="print results as JSON")
    for facet in ("person", "organization", "place", "tag", "year"):
        search.add_argument(f"--{facet}", action="append", default=[], metavar="VALUE")
    return parser


def _how_to_open(config: Config) -> str:
    """The one line that says how to look at the built site. Its links name folders, which a
    browser shows as file listings from disk, so it is served, unless built with relative_files."""
    serve = f"python3 -m http.server -d {config.site_dir} 8000, then http://127.0.0.1:8000/"
    if config.relative_files:
        return f"open it: {config.site_dir / 'index.html'} (search needs a web server: {serve})"
    return f"view it: {serve} (or 'newsarchive serve')"


def _web_skipped(counts: dict[str, int]) -> str:
    """'; 7 web captures not ingested (3 not HTML, 2 redirect, ...)', or nothing."""
    if not counts:
        return ""
    total = sum(counts.values())
    reasons = ", ".join(
        f"{n} {reason}" for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return f"; {total} web archive capture{'s' if total != 1 else ''} not ingested ({reasons})"


def _summary(problems: list[Problem], strict: bool, out: TextIO) -> int:
    for problem in problems:
        print(str(problem), file=out)
    failures = [p for p in problems if strict or not p.is_warning]
    return EXIT_PROBLEMS if failures else EXIT_OK


def _init(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    target: Path = args.dir
    if (target / CONFIG_NAME).exists():
        print(f"{target / CONFIG_NAME}: already exists; not overwriting an archive", file=err)
        return EXIT_USAGE
    for sub in ("content/raw", "content/articles", "templates"):
        (target / sub).mkdir(parents=True, exist_ok=True)
    (target / CONFIG_NAME).write_text(
        _CONFIG_TEMPLATE.format(title=args.title.replace('"', "'")), encoding="utf-8"
    )
    (target / "templates" / "README.txt").write_text(
        "Put a file here with the name of a default template (base.html, article.html, static/style.css...)\n"
        "to override it for this archive. Everything else comes from the default theme.\n",
        encoding="utf-8",
    )
    print(
        f"created archive in {target}: put articles in {target / 'content/raw'} and run "
        f"'newsarchive --root {target} build'",
        file=out,
    )
    return EXIT_OK


# The search command's own options; any other word after `search` is part of the query, so
# that `newsarchive search border -wall` leaves out articles with "wall" instead of failing.
_SEARCH_FLAGS = {"--json", "-h", "--help"}
_SEARCH_OPTIONS = {"--limit", "--person", "--organization", "--place", "--tag", "--year"}


def _search_argv(argv: Sequence[str]) -> list[str]:
    """argv with the words of a search query joined into one argument after `--`."""
    tokens = list(argv)
    position = 0
    while position < len(tokens):  # the command: the first word that is no global option
        token = tokens[position]
        if token == "--root":
            position += 2
        elif token.startswith("-"):
            position += 1
        else:
            break
    if position >= len(tokens) or tokens[position] != "search":
        return tokens
    options: list[str] = []
    words: list[str] = []
    rest = iter(tokens[position + 1 :])
    for token in rest:
        name = token.split("=", 1)[0]
        if token == "--":
            words.extend(rest)
        elif token in _SEARCH_FLAGS or (name in _SEARCH_OPTIONS and "=" in token):
            options.append(token)
        elif token in _SEARCH_OPTIONS:
            options.extend([token, next(rest, "")])
        else:
            words.append(token)
    return [*tokens[: position + 1], *options, "--", " ".join(words)]


def _search(config: Config, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from generator.errors import EmptyQueryError
    from generator.search.startup import lean_imports

    with lean_imports():  # one BLAS thread, no Whoosh imports a search never uses
        from generator.search.searching import search

    fields = {
        "person": "people",
        "organization": "organizations",
        "place": "places",
        "tag": "tags",
        "year": "year",
    }
    filters = [(fields[name], value) for name in fields for value in getattr(args, name)]
    problem = query_problem(args.query)
    if problem:
        print(f"search: {problem}; shorten it", file=err)
        return EXIT_USAGE
    try:
        result = search(config.index_dir, args.query, limit=args.limit, filters=filters)
    except EmptyQueryError as exc:
        print(f"search: {exc}", file=err)
        return EXIT_USAGE
    except SearchError as exc:
        message = str(exc)
        if "no search index" in message:
            message += f" (newsarchive --root {config.root} build)"
        print(f"search: {message}", file=err)
        return EXIT_USAGE
    suggestion = f"did you mean: {result.suggestion}?" if result.suggestion else None
    if args.json:
        hits = [
            {
                "title": h.title,
                "date": h.date,
                "url": h.url,
                "snippet": h.snippet_html,
                "score": round(h.score, 4),
            }
            for h in result.hits
        ]
        data = {
            "query": result.query,
            "total": result.total,
            "complete": result.complete,
            "unknown": list(result.unknown),
            "loosened": list(result.loosened),
            "suggestion": result.suggestion,
            "hits": hits,
        }
        print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
        return EXIT_OK
    unknown = ", ".join(repr(w) for w in result.unknown)
    if result.loosened:
        phrases = ", ".join(f'"{phrase}"' for phrase in result.loosened)
        together = " together" if len(result.loosened) > 1 else ""
        print(f"no article has {phrases}{together}: searched without the quotes", file=out)
    if not result.hits:
        print(
            f"no articles match {args.query!r}" + (f"; {suggestion}" if suggestion else ""),
            file=out,
        )
        return EXIT_OK
    for rank, hit in enumerate(result.hits, 1):
        print(f"{rank}. {hit.title}  ({hit.date or 'undated'})", file=out)
        print(f"   {config.site_dir.name}/{hit.url}", file=out)
        print(f"   {hit.snippet_text}", file=out)
    line = f"{result.total} match{'es' if result.total != 1 else ''}"
    if result.complete != result.total:
        line += f", {result.complete} with every word"
    print(line, file=out)
    if unknown:
        print(f"no article has {unknown}", file=out)
    if suggestion:
        print(suggestion, file=out)
    return EXIT_OK


def _serve(config: Config, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import signal
    import time

    from generator.serve.preview import start_preview

    if args.host not in {"127.0.0.1", "localhost", "::1"}:
        print(
            f"serve: warning: binding to {args.host} exposes the preview beyond this machine",
            file=err,
        )

    def report(error: str | None) -> None:
        print("rebuilt" + (f" with problems:\n{error}" if error else ""), file=err, flush=True)

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # stop as on Ctrl+C: the rebuild child process goes too

    # From the first instant, the first build included: SIGTERM stops as Ctrl+C does.
    signal.signal(signal.SIGTERM, terminate)
    try:
        preview = start_preview(
            config.root, args.host, args.port, watch=not args.no_watch, on_build=report
        )
    except OSError as exc:
        print(f"serve: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=err)
        return EXIT_USAGE
    except KeyboardInterrupt:  # during the first build, which has stopped its child
        print("stopping", file=err)
        return EXIT_OK
    if preview.state.error:
        print(f"first build has problems (serving what built):\n{preview.state.error}", file=err)
    print(f"serving {config.site_dir} at {preview.url} (Ctrl+C to stop)", file=out, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        # A second Ctrl+C (or SIGTERM) while stopping must not cut the stop short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("stopping", file=err, flush=True)
    finally:
        preview.stop()
    return EXIT_OK


def _log_to_stderr(verbose: bool) -> None:
    """What the build's stages log (a search logs nothing: it does not import logging)."""
    import logging

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # trafilatura (and htmldate, courlan under it) log each page they give up on, in lines that
    # do not name the file; our own problem line does. Shown with --verbose only.
    for name in ("trafilatura", "htmldate", "courlan", "justext", "readability"):
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.CRITICAL)


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run one command; returns the exit code (0 ok, 1 some inputs failed, 2 usage or config error)."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(_search_argv(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.command == "init":
        return _init(args, out, err)
    try:
        config = load_config(args.root)
    except ConfigError as exc:
        print(f"config error: {exc}", file=err)
        return EXIT_USAGE
    if args.command == "search":  # before the pipeline's imports: a search starts quickly
        return _search(config, args, out, err)
    _log_to_stderr(args.verbose)
    progress = _Progress(err)
    from generator import pipeline

    try:
        if args.command == "ingest":
            report = pipeline.run_ingest(config, progress)
            print(
                f"{report.count('written')} written, {report.count('unchanged')} unchanged, "
                f"{report.count('kept-edited')} kept (hand-edited), {report.count('skipped')} skipped"
                + _web_skipped(report.web_skipped),
                file=out,
            )
            return _summary(report.problems, False, err)
        if args.command == "build":
            build = pipeline.run_build(config, progress, clean=args.clean)
            ingest = build.ingest
            skipped = len([p for p in build.all_problems if not p.is_warning])
            line = f"{build.articles} articles built into {build.pages} pages"
            details = []
            if ingest:
                details.append(
                    f"{ingest.count('written')} ingested, {ingest.count('unchanged')} unchanged"
                )
            if build.incremental:
                details.append(f"{build.rendered} re-rendered, {build.removed} removed")
            if details:
                line += f" ({'; '.join(details)})"
            line += f", {skipped} skipped" + (": see below" if skipped else "")
            if ingest:
                line += _web_skipped(ingest.web_skipped)
            print(line, file=out)
            print(_how_to_open(config), file=out)
            if not config.has_base_url:
                print(
                    f"note: base_url is not set in {CONFIG_NAME}: feeds and the sitemap name "
                    f"{config.base_url}, and pages carry no canonical link. Set base_url to the "
                    "address the site is published at",
                    file=out,
                )
            return _summary(build.all_problems, args.strict, err)
        if args.command == "check":
            problems = pipeline.run_check(config)
            failures = [p for p in problems if not p.is_warning]
            print(f"check: {len(failures)} problem{'s' if len(failures) != 1 else ''}", file=out)
            return _summary(problems, False, err)
        if args.command == "serve":
            return _serve(config, args, out, err)
    except GeneratorError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_PROBLEMS
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE
