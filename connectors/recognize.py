"""Which layout a delivered file is in, read from its first lines only.

A file is matched by its header, never by its name alone (a headerless fixed-width file, by its
record length and field patterns: connectors/fixed_width.py): its header line, split on the layout's
delimiter (or the one that splits it into the most fields), must hold every column the layout
requires, names compared without case, spaces or punctuation. When several layouts match, the one
that uses the most of the file's columns wins, then one whose file-name pattern matched. When none
does, the closest layouts and the columns they lack are reported, so district IT can add a layout
or an alias.

A layout version valid for some school years only (`Layout.school_years`) matches a file of
another year as a miss that says so; the file's year is read from its first data row.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from connectors.encoding import utf16_encoding
from connectors.layout import DELIMITERS, Layout, normalize_name, school_year_of

HEAD_BYTES = 1 << 16
# The lines a fixed-width layout is recognized on (connectors/fixed_width.py).
FIXED_WIDTH_PROBE_LINES = 5


class BadFileError(ValueError):
    """A delivered file that cannot be read at all; the message names file, line and column."""


@dataclass(frozen=True)
class Match:
    """A file recognized as `layout`: its delimiter, header and where each used column is."""

    layout: Layout
    delimiter: str
    header: tuple[str, ...]
    # Canonical column → 0-based position in the file, for columns in `layout.columns`.
    positions: dict[str, int]
    # One dict per unpivot group, likewise.
    groups: tuple[dict[str, int], ...]
    # 0-based positions of the file's secret columns (`Layout.secret_columns`).
    secret: tuple[int, ...] = ()
    # Canonical column → position of the column read where it is blank (`ColumnRule.when_blank`).
    when_blank: dict[str, int] = field(default_factory=dict)

    @property
    def used(self) -> int:
        return len(self.positions) + sum(len(g) for g in self.groups) + len(self.when_blank)


@dataclass(frozen=True)
class Miss:
    """A layout the file did not match, and the columns it lacked (first alias of each)."""

    layout: Layout
    missing: tuple[str, ...]
    present: int


@dataclass
class Recognition:
    """The outcome for one file: a match, or the closest misses; `error` when the file cannot be
    read (with `match`: recognized, but bad)."""

    match: Match | None
    misses: list[Miss] = field(default_factory=list)
    header: tuple[str, ...] = ()
    error: str | None = None

    def closest(self, n: int = 3) -> list[Miss]:
        ranked = sorted(self.misses, key=lambda m: (-m.present, len(m.missing)))
        return ranked[:n]

    def explain(self, file_name: str) -> str:
        """One line for the audit and district IT: why no layout took the file."""
        if self.error:
            return self.error
        if len(self.header) == 1 and len(self.header[0]) > 1:
            known = ", ".join(DELIMITERS.values())
            marks = Counter(c for c in self.header[0] if not c.isalnum() and c not in " _-")
            hint = f" ({marks.most_common(1)[0][0]!r}?)" if marks else ""
            # A fixed-width layout whose records have this file's length but whose field failed
            # (a retest file where only the main administration is read) says which field.
            fixed = "; ".join(
                f"{m.layout.layout} lacks {', '.join(m.missing)}"
                for m in self.closest()
                if m.layout.fixed_width is not None and m.present > 0
            )
            return (
                f"{file_name}: line 1: its header is one column on every delimiter read here "
                f"({known}): an unknown delimiter{hint}, or not a delimited file"
                + (f"; as fixed-width records: {fixed}" if fixed else "")
            )
        near = "; ".join(
            f"{m.layout.layout} lacks {', '.join(m.missing)}" for m in self.closest() if m.missing
        )
        return f"{file_name}: line 1: no layout matches its header ({len(self.header)} columns)" + (
            f"; closest: {near}" if near else ""
        )


def sniff_encoding(head: bytes) -> str:
    """The encoding to read the first lines with: a BOM decides, else UTF-8 if they decode."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if utf16 := utf16_encoding(head):
        return utf16
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the sample is still UTF-8.
        return "utf-8" if exc.start >= len(head) - 3 else "cp1252"


# Documents that are not delimited exports, told by their first bytes, and what to ask for instead.
_DOCUMENTS: tuple[tuple[tuple[bytes, ...], str], ...] = (
    (
        (b"%PDF-",),
        "binary data, not a delimited text file: a PDF document (a report, not a data export)",
    ),
    (
        (b"PK\x03\x04",),
        "binary data, not a delimited text file: a zip archive not named .zip, such as a "
        "spreadsheet workbook (.xlsx, .ods): save the sheet as CSV",
    ),
    (
        (b"\xd0\xcf\x11\xe0",),
        "binary data, not a delimited text file: an Excel 97-2003 workbook (save the sheet as CSV)",
    ),
    (
        (b"<?xml", b"<!doctype html", b"<html", b"<table"),
        "an XML or HTML document, not a delimited text file: a spreadsheet saved as a web page "
        "(save it as CSV), or an Ed-Fi XML interchange under another name (a `.xml` file is "
        "read as one)",
    ),
)


def document_kind(head: bytes) -> str | None:
    """What a file that is not delimited text is, from its first bytes; None for text."""
    start = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    for marks, kind in _DOCUMENTS:
        if start.startswith(tuple(mark.lower() for mark in marks)):
            return kind
    return None


def head_lines(path: Path, n: int, file_name: str) -> list[str]:
    """The first `n` lines of a text file (decoded as sniffed; a JSON or XML file's in its CSV
    form); raises, naming `file_name`, for an empty file or binary data."""
    # Both build on this module's BadFileError.
    from connectors import json_records, xml_records

    if json_records.is_json(file_name) and path.stat().st_size:
        return json_records.head_lines(path, n, file_name)
    if xml_records.is_xml(file_name) and path.stat().st_size:
        return xml_records.head_lines(path, n, file_name)
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head.strip():
        raise BadFileError(f"{file_name}: line 1: the file is empty (no header line)")
    if kind := document_kind(head):
        raise BadFileError(f"{file_name}: line 1: {kind}")
    encoding = sniff_encoding(head)
    text = head.decode(encoding, errors="replace")
    if "\x00" in text:
        raise BadFileError(f"{file_name}: line 1: binary data, not a delimited text file")
    return text.splitlines()[:n]


def split_header(line: str, delimiter: str | None) -> tuple[str, tuple[str, ...]]:
    """The header's names on `delimiter`, or on the candidate that gives the most fields."""
    options = [delimiter] if delimiter else list(DELIMITERS)
    best = max(options, key=lambda d: len(next(csv.reader([line], delimiter=d), [])))
    names = next(csv.reader([line], delimiter=best), [])
    return best, tuple(name.strip() for name in names)


# A layout requires one column of a long list (FAST's 27 achievement-level columns, one per
# grade and test): the message names the first few and how many more, not every one.
_ANY_OF_SHOWN = 3


def _any_of(names: list[str]) -> str:
    """`A or B or C`, or `A, B, C or one of 24 more` for a long list."""
    if len(names) <= _ANY_OF_SHOWN + 1:
        return " or ".join(names)
    return f"{', '.join(names[:_ANY_OF_SHOWN])} or one of {len(names) - _ANY_OF_SHOWN} more"


def try_layout(layout: Layout, lines: Sequence[str]) -> Match | Miss:
    """Whether the file's header (at the layout's header line) fits `layout`; a headerless
    fixed-width layout is tried on its record length and field patterns instead."""
    if layout.fixed_width is not None:
        # Imported here: connectors.fixed_width builds on this module's Match.
        from connectors.fixed_width import try_fixed_width

        return try_fixed_width(layout, lines)
    if len(lines) < layout.header_line:
        return Miss(layout, ("(header line)",), 0)
    delimiter, header = split_header(lines[layout.header_line - 1], layout.delimiter)
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(normalize_name(name), position)

    def find(aliases: tuple[str, ...]) -> int | None:
        return next((index[a] for a in aliases if a in index), None)

    missing = [
        rule.names[0]
        for rule in layout.rules
        if rule.from_file and not rule.optional and find(rule.normalized) is None
    ]
    present = sum(
        1 for rule in layout.rules if rule.from_file and find(rule.normalized) is not None
    )
    for names in layout.required_names:
        if find(tuple(normalize_name(name) for name in names)) is None:
            missing.append(_any_of(names))
        else:
            present += 1
    if missing:
        return Miss(layout, tuple(missing), present)
    if layout.max_columns is not None and len(header) > layout.max_columns:
        reason = (
            f"(files of at most {layout.max_columns} columns; this one has {len(header)}: "
            "another export that carries the same names)"
        )
        return Miss(layout, (reason,), present)

    def place(rules: dict) -> dict[str, int]:
        out = {}
        for column, rule in rules.items():
            if rule.from_file and (pos := find(rule.normalized)) is not None:
                out[column] = pos
        return out

    groups = tuple(place(g) for g in layout.unpivot)
    if layout.unpivot and not any(groups):
        # A wide layout whose every group is optional (FAST's subjects) would otherwise take any
        # file with its identity columns, another state's export of the same vendor (Cambium's
        # long files of Connecticut, Ohio, Oregon, SC-Alt ...), and load it as no rows.
        names = (r.names[0] for g in layout.unpivot for r in g.values() if r.from_file)
        first = next(names, "a column of a group")
        return Miss(layout, (f"(any of its column groups, such as {first})",), present)
    secret = {normalize_name(name) for name in layout.secret_columns}
    when_blank = {
        column: pos
        for column, rule in layout.columns.items()
        if rule.when_blank and (pos := find(rule.normalized_when_blank)) is not None
    }
    return Match(
        layout,
        delimiter,
        header,
        place(layout.columns),
        groups,
        tuple(i for i, name in enumerate(header) if normalize_name(name) in secret),
        when_blank,
    )


def file_school_year(match: Match, lines: Sequence[str], file_name: str) -> int | None:
    """The school year of a file matched to `match`: from the file name when the layout takes
    SchoolYear from it, else from the first data row's SchoolYear column; None when unknown."""
    rule = match.layout.columns.get("SchoolYear")
    if rule is None:
        return None
    if rule.file_name is not None:
        found = re.search(rule.file_name, file_name)
        return school_year_of(found.group(1)) if found else None
    position = match.positions.get("SchoolYear")
    row = match.layout.header_line
    if position is None or len(lines) <= row:
        return None
    fields = next(csv.reader([lines[row]], delimiter=match.delimiter), [])
    return school_year_of(fields[position]) if position < len(fields) else None


def _out_of_years(match: Match, lines: Sequence[str], file_name: str) -> Miss | None:
    """A miss when `match`'s layout is a version for other school years than the file's."""
    years = match.layout.school_years
    if years is None:
        return None
    year = file_school_year(match, lines, file_name)
    if year is None or year in years:
        return None
    reason = f"(a version for school years {years}; the file is of {year})"
    return Miss(match.layout, (reason,), match.used)


def recognize(path: Path, file_name: str, layouts: Sequence[Layout]) -> Recognition:
    """The best layout for the file at `path`, delivered as `file_name` (its path in landing)."""
    depth = max((layout.header_line for layout in layouts), default=1) + 1
    if any(layout.fixed_width for layout in layouts):
        depth = max(depth, FIXED_WIDTH_PROBE_LINES)
    try:
        lines = head_lines(path, depth, file_name)
    except BadFileError as exc:
        return Recognition(None, error=str(exc))
    matches: list[Match] = []
    misses: list[Miss] = []
    for layout in layouts:
        outcome = try_layout(layout, lines)
        if isinstance(outcome, Match):
            outcome = _out_of_years(outcome, lines, file_name) or outcome
        if isinstance(outcome, Match) and layout.matches_file_name(PurePosixPath(file_name).name):
            matches.append(outcome)
        elif isinstance(outcome, Miss):
            misses.append(outcome)
    _, header = split_header(lines[0], None) if lines else (",", ())
    if not matches:
        return Recognition(None, misses, header)
    best = max(
        matches,
        key=lambda m: (
            m.used,
            len(m.layout.signature),
            bool(m.layout.files),
            -m.layout.header_line,
        ),
    )
    try:
        _check_duplicates(best, file_name)
    except BadFileError as exc:
        return Recognition(best, misses, best.header, error=str(exc))
    return Recognition(best, misses, best.header)


def _check_duplicates(match: Match, file_name: str) -> None:
    """Two header columns that normalize to one name are ambiguous when the layout uses it."""
    seen: dict[str, int] = {}
    used = set(match.positions.values()) | {p for g in match.groups for p in g.values()}
    used |= set(match.when_blank.values())
    for position, name in enumerate(match.header):
        key = normalize_name(name)
        if key in seen and seen[key] in used:
            raise BadFileError(
                f"{file_name}: line {match.layout.header_line}, column {position + 1}: "
                f"header {name!r} is the same name as column {seen[key] + 1} "
                f"({match.header[seen[key]]!r}); rename one of them"
            )
        seen.setdefault(key, position)
