"""Serve (orchestration): build once, then watch -> rebuild -> notify browsers, until interrupted."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.config import Config, load_config
from generator.errors import GeneratorError
from generator.serve.server import PreviewServer, PreviewState
from generator.serve.watch import Debouncer, start_watching

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Preview:
    """A running preview: server, watcher and rebuild loop. stop() ends all three."""

    server: PreviewServer
    state: PreviewState
    debouncer: Debouncer
    threads: tuple[threading.Thread, ...]
    observer: object | None = None
    builds: int = 0

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{name}:{port}/"

    def stop(self) -> None:
        self.debouncer.stop()
        if self.observer is not None:
            self.observer.stop()  # type: ignore[attr-defined]
        self.server.shutdown()
        self.server.server_close()


def build_message(config: Config) -> str | None:
    """Run one build; None when it succeeded cleanly, else the text for the browser's overlay."""
    from generator.pipeline import run_build

    try:
        report = run_build(config)
    except GeneratorError as exc:
        return str(exc)
    except Exception as exc:  # keep serving the last good site whatever happened
        log.exception("build failed")
        return f"internal error {type(exc).__name__}: {exc}"
    problems = [str(p) for p in report.all_problems if not p.is_warning]
    return "\n".join(problems) or None


def start_preview(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    watch: bool = True,
    on_build: Callable[[str | None], None] | None = None,
) -> Preview:
    """Build the site, start the loopback server and the watcher. Raises ConfigError on a bad config."""
    config = load_config(root)
    state = PreviewState()
    state.error = build_message(config)
    server = PreviewServer((host, port), config.site_dir, config.index_dir, state)
    holder: dict[str, Config] = {"config": config}
    preview: Preview

    def rebuild(changed: set[Path]) -> None:
        try:
            holder["config"] = load_config(root)  # the config file may be what changed
        except GeneratorError as exc:
            state.publish(str(exc))
            return
        error = build_message(holder["config"])
        preview.builds += 1
        state.publish(error)
        log.info("rebuilt after %d change(s): %s", len(changed), "error" if error else "ok")
        if on_build:
            on_build(error)

    debouncer = Debouncer(rebuild)
    serving = threading.Thread(target=server.serve_forever, name="preview-http", daemon=True)
    looping = threading.Thread(target=debouncer.run, name="preview-rebuild", daemon=True)
    preview = Preview(server, state, debouncer, (serving, looping))
    serving.start()
    if watch:
        looping.start()
        preview.observer = start_watching(config, debouncer)
    return preview
