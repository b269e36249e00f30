"""GX Data Docs for the quality suites: one HTML site that accumulates runs, pruned to recent ones.

Validation happens in a throwaway in-memory GX context (see runner.py). To give Data Docs an
index of every suite — not only of the last call — each run's suite and result are also written
to a small file store inside the docs folder (`.gx_results/`, counts only: samples are switched
off), and the site is rebuilt from it. Dagster may run checks in parallel processes, so writing
and rebuilding happen under a file lock. Only the newest `keep_runs` runs of a suite are kept.
"""

from __future__ import annotations

import logging
import shutil
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
    """Store (suite, result key, result) triples and rebuild the site; returns its index.html."""
    data_docs_dir = Path(data_docs_dir).resolve()
    with _locked(data_docs_dir):
        context = docs_context(data_docs_dir)
        for suite, key, result in validations:
            context.suites.add_or_update(suite)
            context.validation_results_store.set(key, result)
        prune(data_docs_dir, keep_runs)
        return _build(context, data_docs_dir)


def build_data_docs(data_docs_dir: Path, *, keep_runs: int = KEEP_RUNS) -> Path:
    """Rebuild the site from the stored results (e.g. once at the end of a Dagster run)."""
    data_docs_dir = Path(data_docs_dir).resolve()
    with _locked(data_docs_dir):
        prune(data_docs_dir, keep_runs)
        return _build(docs_context(data_docs_dir), data_docs_dir)


def _build(context: Any, data_docs_dir: Path) -> Path:
    context.build_data_docs(site_names=[SITE])
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
