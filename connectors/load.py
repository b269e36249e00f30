"""Load one raw table: land each new file of its pattern, parse it, record the audit row."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from connectors.encoding import detect_encoding, transcode_to_utf8
from connectors.filespec import FileSpec
from connectors.home import Home
from connectors.landing import (
    already_loaded,
    archive_file,
    audit_record,
    sha256_of,
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

    @property
    def rows_parsed(self) -> int:
        return sum(r["rows_parsed"] for r in self.loaded)

    @property
    def rows_rejected(self) -> int:
        return sum(r["rows_rejected"] for r in self.loaded)


def load_table(home: Home, spec: FileSpec) -> TableLoad:
    """Land and parse every not-yet-loaded file for `spec`; a bad file fails alone, loudly."""
    home.ensure()
    ensure_schema_files(home.raw, spec)
    result = TableLoad(spec.table)
    loaded = already_loaded(home, spec)
    for path in spec.files_in(home.landing):
        if loaded.should_skip(path.name, sha256_of(path)):
            result.skipped.append(path.name)
            continue
        landing = archive_file(home, spec, path)
        encoding = detect_encoding(landing.archive_path)
        utf8 = landing.archive_path
        if encoding not in ("utf-8", "utf-8-sig"):
            utf8 = transcode_to_utf8(
                landing.archive_path, encoding, home.work / f"{landing.load_id}.csv"
            )
        try:
            parsed = parse_csv(
                utf8,
                spec=spec,
                file_name=path.name,
                physical_lines=landing.lines,
                load_id=landing.load_id,
                loaded_at=landing.loaded_at,
                raw_root=home.raw,
            )
        except BadFileError as exc:
            record = audit_record(landing, encoding=encoding, status="failed", error=str(exc))
            write_audit(home, record)
            result.failed.append(record)
            log.error("%s: load failed: %s", path.name, exc)
            continue
        finally:
            if utf8 != landing.archive_path:
                utf8.unlink(missing_ok=True)
        record = audit_record(
            landing,
            encoding=encoding,
            status="loaded",
            rows_total=parsed.rows_parsed + parsed.rows_rejected,
            rows_parsed=parsed.rows_parsed,
            rows_rejected=parsed.rows_rejected,
        )
        write_audit(home, record)
        result.loaded.append(record)
        log.info(
            "%s → %s: %d rows, %d rejected (%s)",
            path.name,
            spec.table,
            parsed.rows_parsed,
            parsed.rows_rejected,
            encoding,
        )
    return result
