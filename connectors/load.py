"""Load raw tables: land each new file of a table's pattern, parse it, record the audit row.

`load_tables` loads several tables at once, one thread per table and up to one per core:
hashing, copying and DuckDB's parsing release the GIL, and a table's files still load one after
another in name order. A table that fails does not stop the others.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from connectors.encoding import legacy_to_utf8
from connectors.filespec import FileSpec
from connectors.home import Home
from connectors.landing import (
    Landing,
    Loaded,
    already_loaded_tables,
    archive_file,
    audit_record,
    write_audit,
)
from connectors.raw import BadFileError, ensure_schema_files, parse_csv

log = logging.getLogger(__name__)


@dataclass
class TableLoad:
    """What happened to one raw table in one run."""

    table: str
    loaded: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    # An unexpected error (not a bad file) that stopped this table's load; re-raised by the caller.
    error: BaseException | None = None

    @property
    def rows_parsed(self) -> int:
        return sum(r["rows_parsed"] for r in self.loaded)

    @property
    def rows_rejected(self) -> int:
        return sum(r["rows_rejected"] for r in self.loaded)


def load_table(home: Home, spec: FileSpec, loaded: Loaded | None = None) -> TableLoad:
    """Land and parse every not-yet-loaded file for `spec`; a bad file fails alone, loudly."""
    home.ensure()
    ensure_schema_files(home.raw, spec)
    result = TableLoad(spec.table)
    if loaded is None:
        loaded = already_loaded_tables(home, [spec])[spec.table]
    for path in spec.files_in(home.landing):
        landing = archive_file(home, spec, path, skip=loaded.should_skip)
        if landing is None:
            result.skipped.append(path.name)
            continue
        record = _parse(home, landing)
        write_audit(home, record)
        if record["status"] == "failed":
            result.failed.append(record)
            continue
        result.loaded.append(record)
        log.info(
            "%s → %s: %d rows, %d rejected (%s)",
            path.name,
            spec.table,
            record["rows_parsed"],
            record["rows_rejected"],
            record["encoding"],
        )
    return result


def load_tables(
    home: Home, specs: Sequence[FileSpec], workers: int | None = None
) -> dict[str, TableLoad]:
    """`load_table` for each of `specs`, in parallel; the tables with the most bytes start first.

    Every table is attempted: an error in one is kept in its `TableLoad.error`, not raised.
    """
    home.ensure()
    loaded = already_loaded_tables(home, list(specs))
    workers = workers or min(len(specs), os.cpu_count() or 1) or 1

    def pending_bytes(spec: FileSpec) -> int:
        return sum(p.stat().st_size for p in spec.files_in(home.landing))

    def one(spec: FileSpec) -> TableLoad:
        try:
            return load_table(home, spec, loaded[spec.table])
        except Exception as exc:  # raised by the caller, once the other tables are loaded
            # The type only: a parser's message can quote a line of the file (student data).
            log.error("%s: load stopped by an unexpected %s", spec.table, type(exc).__name__)
            return TableLoad(spec.table, error=exc)

    order = sorted(specs, key=pending_bytes, reverse=True)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="land")
    try:
        results = [future.result() for future in [pool.submit(one, spec) for spec in order]]
    finally:
        # Interrupted (a run terminated): start no other table; the running ones finish their
        # file, whose outputs and audit row are written by rename, so nothing is left half-done.
        pool.shutdown(wait=True, cancel_futures=True)
    return {result.table: result for result in results}


def _parse(home: Home, landing: Landing) -> dict:
    """Parse an archived file (UTF-8, or a UTF-8 working copy of it); its audit record."""
    encoding = landing.utf8
    utf8 = landing.archive_path
    if encoding is None:
        utf8 = home.work / f"{landing.load_id}.csv"
    try:
        if encoding is None:
            encoding = legacy_to_utf8(landing.archive_path, utf8)
        parsed = parse_csv(
            utf8,
            spec=landing.spec,
            file_name=landing.path.name,
            physical_lines=landing.lines,
            load_id=landing.load_id,
            loaded_at=landing.loaded_at,
            raw_root=home.raw,
        )
    except BadFileError as exc:
        log.error("%s: load failed: %s", landing.path.name, exc)
        return audit_record(landing, encoding=encoding, status="failed", error=str(exc))
    finally:
        if utf8 != landing.archive_path:
            utf8.unlink(missing_ok=True)
    return audit_record(
        landing,
        encoding=encoding,
        status="loaded",
        rows_total=parsed.rows_parsed + parsed.rows_rejected,
        rows_parsed=parsed.rows_parsed,
        rows_rejected=parsed.rows_rejected,
    )
