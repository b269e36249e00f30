"""The quality history: every rule's outcome of every run, as Parquet the warehouse reads.

One file per run under `raw/_quality/` (tmp + rename), read by the dbt view
`audit.quality_results`; like the landing audit, it stays off the warehouse's writer lock.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import duckdb

from expectations.result import SuiteResult

COLUMNS = {
    "run_id": "VARCHAR",
    "suite": "VARCHAR",
    "domain": "VARCHAR",
    "asset_key": "VARCHAR",
    "table_name": "VARCHAR",
    "expectation": "VARCHAR",
    "severity": "VARCHAR",
    "success": "BOOLEAN",
    "observed_value": "DOUBLE",
    "unexpected_count": "BIGINT",
    "checked_at": "TIMESTAMP",
    "named": "VARCHAR",
}


def ensure_history(folder: Path) -> None:
    """A zero-row file, so the audit view reads before the first run."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "_schema.parquet"
    if not path.exists():
        cols = ", ".join(f"null::{kind} as {name}" for name, kind in COLUMNS.items())
        duckdb.sql(f"copy (select {cols} limit 0) to '{path}' (format parquet)")


def write_history(folder: Path, run_id: str, results: Sequence[SuiteResult]) -> Path | None:
    """Append this run's outcomes (counts and rule names only) as `<run_id>.parquet`."""
    ensure_history(folder)
    rows = [
        (
            r.run_id,
            r.suite,
            r.domain,
            "/".join(r.asset_key),
            r.table,
            o.name,
            o.severity,
            o.success,
            o.observed_value if isinstance(o.observed_value, int | float) else None,
            o.unexpected_count,
            r.checked_at,
            o.named,
        )
        for r in results
        for o in r.outcomes
    ]
    if not rows:
        return None
    final = folder / f"{run_id}.parquet"
    tmp = folder / f".{run_id}.part"
    con = duckdb.connect()
    try:
        cols = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
        con.execute(f"create table history ({cols})")
        # One statement for all rows: executemany ran one insert per row (~0.1 s per run).
        values = ", ".join(["(" + ", ".join("?" * len(COLUMNS)) + ")"] * len(rows))
        con.execute(f"insert into history values {values}", [v for row in rows for v in row])
        con.execute(f"copy history to '{tmp}' (format parquet)")
    finally:
        con.close()
    os.replace(tmp, final)
    return final
