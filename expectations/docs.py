"""GX Data Docs for the quality suites: one HTML site that accumulates runs, pruned to recent ones.

Validation happens in a throwaway in-memory GX context (see runner.py). To give Data Docs an
index of every suite — not only of the last call — each run's suite and result are also written
to a small file store inside the docs folder (`.gx_results/`, counts only: samples are switched
off), and the site's index is rebuilt from it; only the new results' pages (and those of suites
that changed) are rendered, the earlier ones are on disk. Dagster may run checks in parallel
processes, so writing and rebuilding happen under a file lock. Only the newest `keep_runs` runs
of a suite are kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import great_expectations as gx
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
)

try:  # POSIX: serialise writers of one docs folder
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, last writer wins
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

SITE = "districtwide"
RESULTS_DIR = ".gx_results"
KEEP_RUNS = 30


def docs_context(data_docs_dir: Path) -> Any:
    """An ephemeral GX context whose suites and results live in files under `data_docs_dir`."""
    data_docs_dir = Path(data_docs_dir).resolve()
    defaults = InMemoryStoreBackendDefaults(init_temp_docs_sites=False)
    stores = dict(defaults.stores)
    for name, folder in (
        (defaults.expectations_store_name, "expectations"),
        (defaults.validation_results_store_name, "validations"),
    ):
        stores[name] = {
            **stores[name],
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(data_docs_dir / RESULTS_DIR / folder),
            },
        }
    config = DataContextConfig(
        store_backend_defaults=defaults,
        stores=stores,
        data_docs_sites={
            SITE: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(data_docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


@contextmanager
def _locked(data_docs_dir: Path) -> Iterator[None]:
    data_docs_dir.mkdir(parents=True, exist_ok=True)
    with (data_docs_dir / ".lock").open("w") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def publish(
    validations: Sequence[tuple[Any, Any, Any]],
    data_docs_dir: Path,
    *,
    keep_runs: int = KEEP_RUNS,
) -> Path:
    """Store (suite, result key, result) triples, render their pages; returns the index.html.

    Only this call's result pages are rendered, a suite's page only when the suite changed since
    it was last rendered, and the index (which lists every stored run): the pages of earlier runs
    are on disk already. Re-rendering every stored run took 6.6 CPU seconds per call once 30 runs
    of the 29 suites were kept (100k students), against 2.3 s this way. `build_data_docs`
    rebuilds everything.
    """
    data_docs_dir = Path(data_docs_dir).resolve()
    with _locked(data_docs_dir):
        context = docs_context(data_docs_dir)
        rendered_suites = _rendered_suites(data_docs_dir)
        to_render: list[Any] = []
        for suite, key, result in validations:
            fingerprint = _fingerprint(suite)
            if (
                rendered_suites.get(suite.name) != fingerprint
                or not _suite_page(data_docs_dir, suite.name).is_file()
            ):
                context.suites.add_or_update(suite)
                to_render.append(ExpectationSuiteIdentifier(name=suite.name))
                rendered_suites[suite.name] = fingerprint
            context.validation_results_store.set(key, result)
            to_render.append(key)
        prune(data_docs_dir, keep_runs)
        index = _build(context, data_docs_dir, to_render or None)
        _suites_file(data_docs_dir).write_text(json.dumps(rendered_suites, sort_keys=True))
        return index


# The Data Docs renderings started by `publish_in_background` and not yet seen to end.
_rendering: list[threading.Thread] = []
_rendering_lock = threading.Lock()


def index_path(data_docs_dir: Path) -> Path:
    """The site's index page (what `publish` returns)."""
    return Path(data_docs_dir).resolve() / "index.html"


def publish_in_background(
    validations: Sequence[tuple[Any, Any, Any]],
    data_docs_dir: Path,
    *,
    keep_runs: int = KEEP_RUNS,
) -> Path:
    """`publish` on a thread of its own; returns the index it will write.

    Rendering took ~1.1 s of the checks step's 2-4 s at 100,000 students (on the load's critical
    path: the publication waits for the checks). The thread is not a daemon, so the process
    does not end before the pages are written; `wait_for_rendering` waits for them in process.
    A rendering that fails is logged: the results are kept in the quality history either way.
    """

    def render() -> None:
        try:
            with quiet_gx_logs():
                publish(validations, data_docs_dir, keep_runs=keep_runs)
        except Exception:
            log.exception("GX Data Docs were not rendered to %s", data_docs_dir)

    # One rendering of a site at a time: a run that follows quickly in the same process (tests,
    # a rerun) would otherwise write the same pages and index as the one still rendering.
    wait_for_rendering()
    thread = threading.Thread(target=render, name="gx-data-docs", daemon=False)
    with _rendering_lock:
        _rendering[:] = [t for t in _rendering if t.is_alive()]
        _rendering.append(thread)
    thread.start()
    return index_path(data_docs_dir)


def wait_for_rendering(timeout: float | None = None) -> bool:
    """Wait for the Data Docs renderings started in this process; True when none is left."""
    with _rendering_lock:
        threads = list(_rendering)
    for thread in threads:
        thread.join(timeout)
    return not any(thread.is_alive() for thread in threads)


# The loggers GX and its telemetry write INFO chatter to.
GX_LOGGERS = ("great_expectations", "posthog", "backoff")


@contextmanager
def quiet_gx_logs() -> Iterator[None]:
    """GX's INFO chatter off (the logger levels only; `runner.quiet_gx` adds the warning
    filters, which are process-wide and not a rendering thread's to change)."""
    saved = {name: logging.getLogger(name).level for name in GX_LOGGERS}
    try:
        for name in GX_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def _suites_file(data_docs_dir: Path) -> Path:
    """Each suite's fingerprint as last rendered (the suite's page is current when they match)."""
    return data_docs_dir / RESULTS_DIR / "rendered_suites.json"


def _rendered_suites(data_docs_dir: Path) -> dict[str, str]:
    try:
        return dict(json.loads(_suites_file(data_docs_dir).read_text()))
    except (OSError, ValueError):
        return {}


def _suite_page(data_docs_dir: Path, name: str) -> Path:
    return data_docs_dir / "expectations" / f"{name}.html"


def _fingerprint(suite: Any) -> str:
    """The suite's rules as GX stores them (its JSON), hashed."""
    text = json.dumps(suite.to_json_dict(), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def build_data_docs(data_docs_dir: Path, *, keep_runs: int = KEEP_RUNS) -> Path:
    """Rebuild the site from the stored results (e.g. once at the end of a Dagster run)."""
    data_docs_dir = Path(data_docs_dir).resolve()
    with _locked(data_docs_dir):
        prune(data_docs_dir, keep_runs)
        return _build(docs_context(data_docs_dir), data_docs_dir)


def _build(context: Any, data_docs_dir: Path, only: Sequence[Any] | None = None) -> Path:
    """Render the site's pages (those of `only`'s identifiers, or all) and its index.

    `only` goes to GX as a set: GX tests every stored key's membership in it, which with a list
    compared ~870 keys (30 runs) with each identifier, a quarter of the call's time.
    """
    context.build_data_docs(
        site_names=[SITE], resource_identifiers=frozenset(only) if only else None
    )
    index = data_docs_dir / "index.html"
    if not index.is_file():
        raise RuntimeError(f"GX did not write Data Docs to {index}")
    return index


def prune(data_docs_dir: Path, keep_runs: int) -> int:
    """Delete all but the newest `keep_runs` runs of each suite (stored results and pages)."""
    removed = 0
    results = data_docs_dir / RESULTS_DIR / "validations"
    if not results.is_dir():
        return 0
    for suite_dir in (p for p in results.iterdir() if p.is_dir()):
        # <suite>/<run_name>/<run_time>/<batch>.json; run_time sorts chronologically.
        runs = sorted(
            (t for r in suite_dir.iterdir() if r.is_dir() for t in r.iterdir() if t.is_dir()),
            key=lambda t: t.name,
            reverse=True,
        )
        for stale in runs[keep_runs:]:
            relative = stale.relative_to(results)
            for tree in (results, data_docs_dir / "validations"):
                target = tree / relative
                if target.exists():
                    shutil.rmtree(target)
                if target.parent.is_dir() and not any(target.parent.iterdir()):
                    target.parent.rmdir()
            removed += 1
    if removed:
        log.info("pruned %d old quality runs from %s", removed, data_docs_dir)
    return removed
