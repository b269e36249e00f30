"""Load what waits in landing: recognize each file's layout, archive it, parse it, audit it.

`load_landing` first reads every delivered file's first lines to find its layout (and so its raw
table), then loads the raw tables in parallel, one thread per table and up to one per core:
hashing, copying and DuckDB's parsing release the GIL, and a table's files still load one after
another in name order. A bad file is set aside with its reason (status `failed`) and its table's
other files load; a file no layout recognizes is archived and recorded as `unrecognized`, with
the closest layouts and the columns they lack, for district IT; a symbolic link is recorded as
`refused`, neither read nor archived (`connectors.delivery`).

A file that looks cut short is set aside, not loaded in part: a last line short of fields, a
quoted field still open at the end, or more lines rejected by the parser than the district allows
(`settings.landing`); no line ending after its last line too, when the previous file of its layout
ended with one or the district requires one (`require_final_line_ending`).
Its previous good delivery stays in effect and its steward is told which line; loading the rest of
a file cut at 95% published 5% fewer absences without a word. A complete last line with no line
ending loads with a warning to the steward: many vendors' exports end so.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from connectors.delivery import Delivery, deliveries
from connectors.encoding import Transcoded, legacy_to_utf8
from connectors.fixed_width import parse_fixed_width
from connectors.home import Home
from connectors.json_records import rematch
from connectors.landing import (
    Landing,
    LineScan,
    Loaded,
    already_loaded_tables,
    archive_file,
    audit_record,
    last_delivery_ended_with_newline,
    new_load_id,
    unrecognized_seen,
    write_audit,
)
from connectors.layout import Layout, load_layouts
from connectors.raw import BadFileError, ParseResult, ensure_schema_files, parse_csv
from connectors.recognize import Match, Recognition, recognize
from connectors.tables import RAW_TABLES, RawTable
from connectors.xml_records import records_format, records_to_csv
from settings.landing import LandingSettings

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


@dataclass
class LandingRun:
    """One run over the landing folder: per raw table, and the files no layout recognized."""

    tables: dict[str, TableLoad]
    # Audit-like records ({source_path, source, error, new}) of unrecognized files, this run's
    # and those still waiting in landing from earlier runs.
    unrecognized: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Routed:
    """A delivery and the layout it matched."""

    delivery: Delivery
    match: Match
    error: str | None = None


def district_layouts(home: Home) -> tuple[Layout, ...]:
    """The shipped layouts with the district's own (`config/layouts/`) over them."""
    return load_layouts(home.root / "config" / "layouts")


def triage(
    home: Home, layouts: Sequence[Layout], link_root: Path | None = None
) -> tuple[dict[str, list[Routed]], list[tuple[Delivery, Recognition]]]:
    """Each delivery's layout, from its first lines: (raw table → files, unrecognized files)."""
    files = deliveries(home, link_root)
    routed: dict[str, list[Routed]] = {}
    unknown: list[tuple[Delivery, Recognition]] = []
    for delivery in files:
        seen = (
            Recognition(None, error=delivery.problem)
            if delivery.problem
            else recognize(delivery.path, delivery.source_path, layouts)
        )
        if seen.match is None:
            unknown.append((delivery, seen))
            continue
        table = seen.match.layout.raw_table.table
        routed.setdefault(table, []).append(Routed(delivery, seen.match, seen.error))
    for items in routed.values():
        items.sort(key=lambda r: (r.delivery.name, r.delivery.source_path))
    return routed, unknown


def load_table(
    home: Home,
    spec: RawTable,
    routed: Sequence[Routed],
    loaded: Loaded | None = None,
    settings: LandingSettings | None = None,
) -> TableLoad:
    """Land and parse every not-yet-tried file routed to `spec`; a bad file fails alone, loudly."""
    settings = settings or LandingSettings()
    home.ensure()
    ensure_schema_files(home.raw, spec)
    result = TableLoad(spec.table)
    if loaded is None:
        loaded = already_loaded_tables(home, [spec.table])[spec.table]
    for item in routed:
        delivery = item.delivery
        landing = archive_file(
            home,
            delivery.path,
            delivery.source_path,
            spec.source,
            spec.table,
            skip=loaded.should_skip,
        )
        if landing is None:
            result.skipped.append(delivery.source_path)
            continue
        record = _parse(home, landing, item, settings)
        write_audit(home, record)
        if record["status"] == "failed":
            result.failed.append(record)
            continue
        result.loaded.append(record)
        log.info(
            "%s → %s (%s): %d rows, %d rejected (%s)",
            delivery.source_path,
            spec.table,
            item.match.layout.layout,
            record["rows_parsed"],
            record["rows_rejected"],
            record["encoding"],
        )
    return result


def load_landing(
    home: Home,
    tables: Collection[str] | None = None,
    layouts: Sequence[Layout] | None = None,
    workers: int | None = None,
    settings: LandingSettings | None = None,
) -> LandingRun:
    """Load every new file in landing (only those feeding `tables`, when given), in parallel by
    raw table; the tables with the most bytes start first.

    Every table is attempted: an error in one is kept in its `TableLoad.error`, not raised.
    """
    settings = settings or LandingSettings()
    home.ensure()
    layouts = layouts if layouts is not None else district_layouts(home)
    routed, unknown = triage(home, layouts, settings.link_root)
    chosen = [t for t in RAW_TABLES if tables is None or t.table in tables]
    loaded = already_loaded_tables(home, [t.table for t in chosen])
    workers = workers or min(len(chosen), os.cpu_count() or 1) or 1

    def pending_bytes(spec: RawTable) -> int:
        return sum(r.delivery.path.stat().st_size for r in routed.get(spec.table, []))

    def one(spec: RawTable) -> TableLoad:
        try:
            return load_table(home, spec, routed.get(spec.table, []), loaded[spec.table], settings)
        except Exception as exc:  # raised by the caller, once the other tables are loaded
            # The type only: a parser's message can quote a line of the file (student data).
            log.error("%s: load stopped by an unexpected %s", spec.table, type(exc).__name__)
            return TableLoad(spec.table, error=exc)

    order = sorted(chosen, key=pending_bytes, reverse=True)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="land")
    try:
        results = [future.result() for future in [pool.submit(one, spec) for spec in order]]
    finally:
        # Interrupted (a run terminated): start no other table; the running ones finish their
        # file, whose outputs and audit row are written by rename, so nothing is left half-done.
        pool.shutdown(wait=True, cancel_futures=True)
    return LandingRun(
        {result.table: result for result in results}, record_unrecognized(home, unknown)
    )


def record_unrecognized(home: Home, unknown: list[tuple[Delivery, Recognition]]) -> list[dict]:
    """Archive and audit (once per content) each file no layout recognized; all of them listed."""
    seen = unrecognized_seen(home)
    out = []
    for delivery, recognition in unknown:
        error = recognition.explain(delivery.source_path)
        if delivery.refused:
            out.append(_record_refused(home, delivery, error, seen))
            continue
        landing = archive_file(
            home,
            delivery.path,
            delivery.source_path,
            delivery.folder_source,
            skip=lambda _name, sha, path=delivery.source_path: (path, sha) in seen,
        )
        if landing is not None:
            write_audit(home, audit_record(landing, status="unrecognized", error=error))
            log.warning("%s", error)
        out.append(
            {
                "source_path": delivery.source_path,
                "source": delivery.folder_source,
                "error": error,
                "new": landing is not None,
            }
        )
    return out


def _record_refused(
    home: Home, delivery: Delivery, error: str, seen: frozenset[tuple[str, str]]
) -> dict:
    """Audit a refused delivery (a symbolic link) without reading or archiving it; once per link
    and target (the `sha256` is the link's, not a content's)."""
    sha = hashlib.sha256(f"link:{os.readlink(delivery.path)}".encode()).hexdigest()
    new = (delivery.source_path, sha) not in seen
    if new:
        now = datetime.now(UTC)
        write_audit(
            home,
            {
                "load_id": new_load_id(sha, now),
                "source": delivery.folder_source,
                "source_file": delivery.name,
                "source_path": delivery.source_path,
                "sha256": sha,
                "status": "refused",
                "error": error,
                "loaded_at": now.replace(tzinfo=None),
            },
        )
        log.warning("%s", error)
    return {
        "source_path": delivery.source_path,
        "source": delivery.folder_source,
        "error": error,
        "new": new,
    }


def _parse(home: Home, landing: Landing, item: Routed, settings: LandingSettings) -> dict:
    """Parse an archived file (UTF-8, or a UTF-8 working copy of it); its audit record."""
    encoding = landing.utf8
    utf8: Path = landing.archive_path
    layout = item.match.layout.layout
    mixed: Transcoded | None = None
    # JSON and XML records are parsed from a CSV working copy.
    records = records_format(landing.source_path)
    if encoding is None or records:
        utf8 = home.work / f"{landing.load_id}.csv"
    parsed: ParseResult | None = None
    try:
        if item.error:
            raise BadFileError(item.error)
        if records:
            records_to_csv(landing.archive_path, utf8, landing.source_path)
            item = replace(item, match=rematch(item.match, utf8, landing.source_path))
            encoding = records
            landing = _rescan(landing, utf8)
        elif encoding is None:
            mixed = legacy_to_utf8(landing.archive_path, utf8)
            encoding = mixed.encoding
            # Lines and the final line ending as decoded (UTF-16's bytes say neither).
            landing = _rescan(landing, utf8)
        parse = parse_fixed_width if item.match.layout.fixed_width else parse_csv
        parsed = parse(
            utf8,
            match=item.match,
            file_name=landing.source_path,
            physical_lines=landing.lines,
            load_id=landing.load_id,
            loaded_at=landing.loaded_at,
            raw_root=home.raw,
            longest_line=landing.longest_line,
        )
        previous = last_delivery_ended_with_newline(home, layout)
        if cut := truncation(landing, item.match, parsed, settings, previous):
            raise BadFileError(cut)
    except BadFileError as exc:
        log.error("%s: set aside: %s", landing.source_path, exc)
        if parsed is not None:
            # Nothing of a file set aside reaches raw: its previous delivery stays in effect.
            parsed.raw_path.unlink(missing_ok=True)
            parsed.rejects_path.unlink(missing_ok=True)
        return audit_record(
            landing,
            layout=layout,
            encoding=encoding,
            status="failed",
            error=str(exc),
            rows_total=None if parsed is None else parsed.rows_parsed + parsed.rows_rejected,
            mixed_encoding_lines=mixed.mixed_lines if mixed else 0,
        )
    finally:
        if utf8 != landing.archive_path:
            utf8.unlink(missing_ok=True)
    warnings = _warnings(landing, item.match, parsed, mixed)
    for warning in warnings:
        log.warning("%s", warning)
    return audit_record(
        landing,
        layout=layout,
        encoding=encoding,
        status="loaded",
        rows_total=parsed.rows_parsed + parsed.rows_rejected,
        rows_parsed=parsed.rows_parsed,
        rows_rejected=parsed.rows_rejected,
        mixed_encoding_lines=mixed.mixed_lines if mixed else 0,
        warning="; ".join(warnings) or None,
    )


def _rescan(landing: Landing, utf8: Path) -> Landing:
    """`landing` with its line count, final line ending and longest line read from its UTF-8
    working copy (a JSON array on one line is many lines as CSV)."""
    scan = LineScan()
    with utf8.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            scan.update(chunk)
    return replace(
        landing,
        lines=scan.lines,
        ends_with_newline=scan.ends_with_newline,
        longest_line=scan.long_line(),
    )


def truncation(
    landing: Landing,
    match: Match,
    parsed: ParseResult,
    settings: LandingSettings,
    previous_ended: bool = False,
) -> str | None:
    """Why the file looks cut short or broken as a whole, naming the line; None when it does
    not. Each sets the file aside: loading what it holds would publish it short.
    `previous_ended`: the last file of its layout ended with a line ending."""
    return cut_short(
        landing.source_path,
        landing.lines,
        landing.ends_with_newline,
        parsed,
        settings,
        previous_ended,
    )


def cut_short(
    name: str,
    lines: int,
    ends_with_newline: bool,
    parsed: ParseResult,
    settings: LandingSettings,
    previous_ended: bool = False,
) -> str | None:
    """`truncation` of a file named `name` of `lines` physical lines (for `districtwide check`
    too). No line ending after a complete last line sets the file aside when the district
    requires one, or when the last file of its layout had one: a system that ends its files so
    and then sends one without has cut it short; one that never does (many vendors) has not."""
    resend = "ask the vendor to send the whole file again"
    if parsed.open_quote_line:
        line = parsed.open_quote_line
        return (
            f"{name}: line {line}: truncated: a quoted field opened here is never closed; the "
            f"{lines - line} line(s) after it, to the end of the file, were read into "
            f"that one field (the file was cut short inside it, or a quote is stray); {resend}"
        )
    if parsed.last_line_rejected and parsed.last_error_type == "UNQUOTED VALUE":
        return (
            f"{name}: line {lines}: truncated: the file ends inside a quoted field of its "
            f"last line; {resend}"
        )
    if parsed.last_line_rejected and parsed.last_error_type == "MISSING COLUMNS":
        ending = "" if ends_with_newline else " and no line ending"
        return (
            f"{name}: line {lines}: truncated: the last line is short of fields{ending} "
            f"(the file was cut short); {resend}"
        )
    if (
        not ends_with_newline
        and (settings.require_final_line_ending or previous_ended)
        and parsed.rows_parsed + parsed.rows_rejected
    ):
        why = (
            "the district requires one (landing.require_final_line_ending)"
            if settings.require_final_line_ending
            else "the previous file of this layout ended with one"
        )
        return (
            f"{name}: line {lines}: truncated: no line ending after the last line, and {why} "
            f"(a file cut short loses the end of its last field without a word); {resend}"
        )
    data_lines = parsed.rows_parsed + parsed.rows_rejected
    allowed = settings.rejects_allowed(data_lines)
    if parsed.rows_rejected > allowed:
        return (
            f"{name}: line {parsed.first_rejected_line}: {parsed.rows_rejected:,} of "
            f"{data_lines:,} data lines rejected (from this line on), more than the {allowed:,} "
            "a file may have (landing.max_rejected_lines / max_rejected_share in the district "
            "config): the file is broken as a whole, not line by line"
        )
    return None


def _warnings(
    landing: Landing, match: Match, parsed: ParseResult, mixed: Transcoded | None
) -> list[str]:
    """What the file's steward should hear about a file that loaded: each names the file."""
    name = landing.source_path
    out = []
    if mixed is not None and mixed.warning:
        out.append(f"{name}: {mixed.warning}")
    if parsed.rows_parsed + parsed.rows_rejected == 0:
        out.append(f"{name}: line {match.layout.header_line}: a header and no data rows")
    elif not landing.ends_with_newline:
        out.append(
            f"{name}: line {landing.lines}: no line ending after the last line; the file loaded "
            "whole, but had it been cut short inside that line's last field, that value would "
            "be incomplete: ask the vendor whether the file is whole (landing."
            "require_final_line_ending: true sets such files aside)"
        )
    return out
