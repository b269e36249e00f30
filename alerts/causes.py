"""Why a run crashed, in words district IT can act on: a lock held, memory exhausted, a full disk.

A crash email that says only "dbt itself failed" sends someone to read a traceback at night. The
errors that end most crashed loads are few and recognizable by their text (DuckDB's, SQLite's,
the kernel's), so the cause is named from the error message and its type, with what to do. The
holder of a DuckDB file lock is named by the PID DuckDB gives (a PID is not student data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Cause:
    """A recognized cause of a crash: a short name for the subject, and what to do."""

    name: str
    explanation: str


_PID = re.compile(r"\(PID (\d+)\)")
_LOCK = re.compile(
    r"could not set lock on file|conflicting lock is held|database is locked|"
    r"holds the data folder|another load .* is running",
    re.IGNORECASE,
)
_MEMORY = re.compile(
    r"out of memory|outofmemory|memoryerror|failed to allocate|cannot allocate memory|"
    r"\berrno 12\b|\benomem\b|memory[_ ]limit|killed by signal 9|sigkill|oom[- ]killer",
    re.IGNORECASE,
)
_DISK = re.compile(
    r"no space left on device|\berrno 28\b|\benospc\b|database or disk is full|disk is full|"
    r"disk full|disk quota exceeded|\berrno 122\b",
    re.IGNORECASE,
)


def crash_cause(message: str, error_type: str | None = None) -> Cause | None:
    """The recognized cause of a crash whose error reads `message` (of class `error_type`)."""
    text = f"{error_type or ''}: {message or ''}"
    if _DISK.search(text):
        return Cause(
            "disk full",
            "The disk of the data folder is full (no space left on device). Free space "
            "(old archive/ or raw/ files, logs, dagster/ history) or grow the disk, then run the "
            "load again; the served copy was left as it was.",
        )
    if _MEMORY.search(text):
        return Cause(
            "out of memory",
            "The load ran out of memory. Lower DISTRICTWIDE_DUCKDB_MEMORY (DuckDB then spills "
            "to disk), stop other programs on the machine, or add memory, then run the load "
            "again.",
        )
    if _LOCK.search(text):
        pid = _PID.search(message or "")
        holder = f"process {pid.group(1)}" if pid else "another process"
        return Cause(
            "lock held",
            f"A file the load writes was locked by {holder}: a program holding the working "
            "warehouse (warehouse/warehouse.duckdb or marts.duckdb) open, or another load. "
            "Analysts and dashboards should open the served copy (serving/districtwide.duckdb), "
            "which is never locked. Close that program (or wait for the other load) and run the "
            "load again.",
        )
    return None
