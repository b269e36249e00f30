"""Vendor export layouts as data: one YAML file per layout, validated by these models.

A layout says how to recognize a vendor's file (the columns its header must have, optionally a
file-name pattern), how to read it (delimiter, header line) and which of its columns fill which
column of a canonical raw table (`connectors/tables.py`), with per-column date formats, constants,
values taken from the file name and wide-to-long unpivots. A headerless fixed-width layout
(`fixed_width:`) names its fields by position instead, and its rules use those names as a header's
(`connectors/fixed_width.py`). Shipped layouts live in
`connectors/layouts/<source>/`; a district's own in `$DISTRICTWIDE_HOME/config/layouts/` extend
them, and replace a shipped layout of the same name. Adding a vendor is one YAML file and a test.

A layout can be one version of a file that changes between school years (a state renames a
column): `school_years` says which years it reads, and a file is read with the version valid for
its own school year, taken from the first data row's `SchoolYear` column (or the file name, when
the layout takes `SchoolYear` from it). The versions are separate layout files sharing a title.
"""

from __future__ import annotations

import fnmatch
import logging
import re
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from connectors.tables import RAW_TABLES, SOURCES, RawTable

log = logging.getLogger(__name__)
# PyYAML built with libyaml has the C loader; the pure-Python one otherwise (same documents).
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SHIPPED = Path(__file__).resolve().parent / "layouts"
DELIMITERS: dict[str, str] = {
    ",": "comma",
    "\t": "tab",
    "|": "pipe",
    "^": "caret",
    ";": "semicolon",
}

# Date format words a layout may use, and DuckDB's strptime codes for them. `Mon` is a month's
# English abbreviation (`Mar`, any case), as a spreadsheet writes `05-Mar-24`: day and month
# cannot be swapped, and a layout that lists `YY` reads two-digit years as strptime does
# (00-68 as 2000-2068, 69-99 as 1969-1999), so a layout lists it only for dates of that span.
_DATE_TOKENS = (
    ("Mon", "%b"),
    ("YYYY", "%Y"),
    ("YY", "%y"),
    ("MM", "%m"),
    ("DD", "%d"),
    ("M", "%m"),
    ("D", "%d"),
    ("hh", "%H"),
    ("mm", "%M"),
    ("ss", "%S"),
)


def normalize_name(name: str) -> str:
    """A header name as layouts match it: lower case, letters and digits (`Stu_Num ` → `stunum`)."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


def strptime_format(pattern: str) -> str:
    """`MM/DD/YYYY` → `%m/%d/%Y` (DuckDB's `%m`/`%d` also read one-digit months and days)."""
    out, i = "", 0
    while i < len(pattern):
        for token, code in _DATE_TOKENS:
            if pattern.startswith(token, i):
                out += code
                i += len(token)
                break
        else:
            out += "%%" if pattern[i] == "%" else pattern[i]
            i += 1
    return out


def _as_rule(value: object) -> object:
    """A bare list of names (or one name) is the short form of `{names: [...]}`."""
    if isinstance(value, str):
        return {"names": [value]}
    if isinstance(value, list):
        return {"names": value}
    return value


class ColumnRule(BaseModel):
    """Where one canonical column's value comes from: file columns, a constant or the file name."""

    model_config = ConfigDict(extra="forbid")

    names: list[str] = Field(default_factory=list, description="header names (aliases)")
    optional: bool = False
    date: list[str] | None = Field(default=None, description="date formats, e.g. MM/DD/YYYY")
    value: str | None = None
    file_name: str | None = Field(default=None, description="regex; its first group is the value")
    zero_pad: int | None = Field(
        default=None,
        ge=2,
        description="a numeric code of this many digits: one a spreadsheet stripped of its "
        "leading zeros ('1' for '01') reads padded back",
    )
    when_blank: list[str] = Field(
        default_factory=list,
        description="header names (aliases) of the column read in a row where this one is blank: "
        "a file that puts one field in two columns by the kind of row (Missouri's MAP file: "
        "the grade in GRADE_LEVEL for grade-level tests, in GRADE_OF_STUDENT for end-of-course "
        "ones, whose GRADE_LEVEL holds the course)",
    )

    @model_validator(mode="after")
    def _one_origin(self) -> ColumnRule:
        origins = [bool(self.names), self.value is not None, self.file_name is not None]
        if sum(origins) != 1:
            raise ValueError("give exactly one of names, value or file_name")
        if self.file_name is not None and re.compile(self.file_name).groups < 1:
            raise ValueError(f"file_name pattern {self.file_name!r} needs a (group)")
        if self.zero_pad is not None and (not self.names or self.date):
            raise ValueError("zero_pad is for a code read from the file, not a date or constant")
        if self.when_blank and (not self.names or self.date or self.zero_pad):
            raise ValueError("when_blank is for a column read from the file, not a date or code")
        return self

    @cached_property
    def normalized(self) -> tuple[str, ...]:
        return tuple(normalize_name(name) for name in self.names)

    @cached_property
    def normalized_when_blank(self) -> tuple[str, ...]:
        return tuple(normalize_name(name) for name in self.when_blank)

    @property
    def from_file(self) -> bool:
        return bool(self.names)

    @property
    def strptime(self) -> list[str]:
        return [strptime_format(p) for p in self.date or []]

    @property
    def digit_date_widths(self) -> list[int]:
        """The lengths of the all-digit date formats (`MMDDYY` 6, `YYYYMMDD` 8)."""
        return sorted({len(p) for p in self.date or [] if re.fullmatch(r"[YMD]+", p)})


Rule = Annotated[ColumnRule, BeforeValidator(_as_rule)]


class SchoolYears(BaseModel):
    """The school years (by ending year, inclusive) a layout version reads; open-ended when a
    bound is not given."""

    model_config = ConfigDict(extra="forbid")

    first: int | None = Field(default=None, ge=1990, le=2100)
    last: int | None = Field(default=None, ge=1990, le=2100)

    @model_validator(mode="after")
    def _ordered(self) -> SchoolYears:
        if self.first is None and self.last is None:
            raise ValueError("school_years: give first, last or both")
        if self.first is not None and self.last is not None and self.first > self.last:
            raise ValueError(f"school_years: first {self.first} is after last {self.last}")
        return self

    def __contains__(self, year: int) -> bool:
        after_first = self.first is None or year >= self.first
        return after_first and (self.last is None or year <= self.last)

    def __str__(self) -> str:
        if self.first == self.last:
            return str(self.first)
        return f"{self.first or ''}-{self.last or ''}"


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:\s*[-/]\s*((?:19|20)?\d\d))?(?!\d)")


# DRC's administration code: spring or summer (`SP24`) of the school year ending that year, fall
# (`FA23`) of the one it begins.
_ADMINISTRATION = re.compile(r"^(SP|SU|FA)(\d\d)$", re.IGNORECASE)


# Two two-digit years, each perhaps with an apostrophe (aimswebPlus's `'22-'23`, `21-22`).
_SHORT_PAIR = re.compile(r"^[^0-9]?(\d\d) ?- ?[^0-9]?(\d\d)$")

# A fall administration named with its calendar year (Ohio's `Fall2019`): of the school year
# it begins.
_FALL = re.compile(r"(?<![a-z])fall ?((?:19|20)\d\d)(?!\d)", re.IGNORECASE)


def school_year_of(text: str | None) -> int | None:
    """The school year (its ending year) a value names: `2024`, `2023-2024`, `2023-24`,
    `SY 2023-2024`, `SP24`, `FA23`, `Fall2019` (2020), `'23-'24`; None when it names none."""
    if administration := _ADMINISTRATION.match((text or "").strip()):
        fall = administration.group(1).upper() == "FA"
        return 2000 + int(administration.group(2)) + fall
    if short := _SHORT_PAIR.match((text or "").strip()):
        first, second = int(short.group(1)), int(short.group(2))
        return 2000 + second if (first + 1) % 100 == second else None
    found = _YEAR.search(text or "")
    if not found:
        return None
    first, second = found.group(1), found.group(2)
    if second is None:
        fall = _FALL.search(text or "")
        return int(first) + 1 if fall and fall.group(1) == first else int(first)
    end = int(second) if len(second) == 4 else int(first[:2] + second)
    return end if end == int(first) + 1 else int(first)


class FixedField(BaseModel):
    """One field of a fixed-width record, where the specification puts it (1-based, as TEA's
    "positions 1-4" are), read as its text with the padding trimmed."""

    model_config = ConfigDict(extra="forbid")

    start: int = Field(ge=1)
    width: int = Field(ge=1)
    # `MMYY`: the field is an administration date and is read as the school year it falls in
    # (the year the school year ends; August to July), e.g. 1222 → 2023, 0523 → 2023.
    school_year: str | None = Field(default=None, pattern=r"^MMYY$")

    @property
    def end(self) -> int:
        return self.start + self.width - 1


class FixedWidth(BaseModel):
    """A headerless file of fixed-length records: what recognizes it and where its fields are.

    A line is a whole record when it is `record_length` characters long or, with `record_end`
    (the character every record ends with, TEA's period), when it ends with that character and is
    no longer than `record_length` nor shorter than the end of the last field read. A file is this
    layout when one of its first lines at least is a record and each field in `expect` matches
    its pattern (a full-match regular expression) on every probed line that is a record; other
    lines are left to the parser, which rejects them with their number.
    """

    model_config = ConfigDict(extra="forbid")

    record_length: int = Field(ge=2)
    record_end: str | None = Field(default=None, min_length=1, max_length=1)
    # Where the specification's versions appended fields past the last one read (Ohio's records
    # of 1,052, 1,060 and 1,061 characters): every length from this one to record_length is a
    # whole record.
    min_record_length: int | None = Field(default=None, ge=2)
    fields: dict[str, FixedField]
    expect: dict[str, str] = Field(min_length=1)

    @property
    def min_length(self) -> int:
        """The shortest line that is a record."""
        if self.min_record_length is not None:
            return self.min_record_length
        if self.record_end is None:
            return self.record_length
        return max(spec.end for spec in self.fields.values()) + 1

    def is_record(self, line: str) -> bool:
        if not self.min_length <= len(line) <= self.record_length:
            return False
        return self.record_end is None or line.endswith(self.record_end)

    @model_validator(mode="after")
    def _check(self) -> FixedWidth:
        shortest = self.min_record_length or self.record_length
        for name, spec in self.fields.items():
            if spec.end > shortest:
                raise ValueError(f"field {name} ends at {spec.end}, past the record's end")
        if shortest > self.record_length:
            raise ValueError(f"min_record_length {shortest} is past record_length")
        if unknown := set(self.expect) - set(self.fields):
            raise ValueError(f"expect names fields not in fields: {sorted(unknown)}")
        for pattern in self.expect.values():
            re.compile(pattern)
        return self


class Layout(BaseModel):
    """One vendor export layout (the catalogue of shipped layouts: docs/sources.md)."""

    model_config = ConfigDict(extra="forbid")

    layout: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    vendor: str
    source: str
    feeds: str
    reference: str = Field(min_length=10)
    sample: str | None = None
    files: list[str] = Field(default_factory=list)
    delimiter: str | None = None
    header_line: int = Field(default=1, ge=1, le=50)
    columns: dict[str, Rule]
    unpivot: list[dict[str, Rule]] = Field(default_factory=list)
    # One canonical column and its values, each repeating every `unpivot` group with that value
    # and `{<column>}` in its header names replaced by it: an export that repeats one block of
    # columns per window (FastBridge's `Fall aReading Test Theta` ... `Spring aReading Test
    # Theta`) is one group, not one per window. Expanded when the layout is read (and not dumped:
    # `unpivot` holds the groups it gave).
    unpivot_each: dict[str, list[str]] = Field(default_factory=dict, max_length=1, exclude=True)
    # Header names the file must have although they fill no column: what tells two exports
    # that share their mapped columns apart (Star Reading's InstructionalReadingLevel). An
    # entry that is a list is satisfied by any one of its names (a column renamed across years).
    requires: list[str | list[str]] = Field(default_factory=list)
    # Header names of columns that hold secrets (OneRoster's `password`): never read into raw,
    # staging or quarantine, and blanked in a rejected line's text. The archive keeps the file
    # as delivered.
    secret_columns: list[str] = Field(default_factory=list)
    # The most columns a file of this layout has (None: no limit). A generic extract layout whose
    # few names other vendors' files also carry (a SIS flags report's StudentID, ELL, IEP, 504,
    # FRL: Riverside's 171-column Iowa Assessments file has them all) reads only files of about
    # its own width; a wider file with those names is another export, reported as unrecognized.
    max_columns: int | None = Field(default=None, ge=1)
    # The school years this version of the layout reads (None: every year).
    school_years: SchoolYears | None = None
    # A headerless fixed-width file (STAAR): rules name its `fields` as if they were a header.
    fixed_width: FixedWidth | None = None
    path: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _expand_unpivot_each(cls, data: object) -> object:
        """Each `unpivot` group once per value of `unpivot_each`, its names filled in."""
        if not isinstance(data, dict) or not data.get("unpivot_each"):
            return data
        ((column, values),) = dict(data["unpivot_each"]).items()
        placeholder = "{" + column + "}"
        groups = []
        for value in values:
            for group in data.get("unpivot") or [{}]:
                if column in group:
                    raise ValueError(f"unpivot_each fills {column}; an unpivot group gives it too")
                if placeholder not in str(group):
                    raise ValueError(f"an unpivot group names no {placeholder} column")
                filled = {column: {"value": value}}
                for name, rule in group.items():
                    rule = _as_rule(rule)
                    if isinstance(rule, dict):
                        rule = {
                            key: [n.replace(placeholder, value) for n in names]
                            if key in ("names", "when_blank")
                            else names
                            for key, names in rule.items()
                        }
                    filled[name] = rule
                groups.append(filled)
        return {**data, "unpivot": groups}

    @model_validator(mode="after")
    def _check(self) -> Layout:
        if self.source not in SOURCES:
            raise ValueError(f"source {self.source!r} is not one of {list(SOURCES)}")
        if self.delimiter is not None and self.delimiter not in DELIMITERS:
            raise ValueError(f"delimiter {self.delimiter!r} is not one of {list(DELIMITERS)}")
        if self.fixed_width is not None:
            self._check_fixed_width(self.fixed_width)
        table = self.raw_table
        mapped = [set(self.columns)] + [set(group) for group in self.unpivot]
        unknown = set().union(*mapped) - set(table.columns)
        if unknown:
            raise ValueError(f"{sorted(unknown)} are not columns of raw table {table.table}")
        secret = {normalize_name(name) for name in self.secret_columns}
        for name, rule in [*self.columns.items(), *(i for g in self.unpivot for i in g.items())]:
            if secret & set(rule.normalized):
                raise ValueError(f"{name}: reads a secret column ({sorted(secret)})")
        for group in self.unpivot:
            if both := set(group) & set(self.columns):
                raise ValueError(f"{sorted(both)} given both in columns and in an unpivot group")
            if not any(rule.from_file for rule in group.values()):
                raise ValueError("an unpivot group needs at least one column from the file")
            if set(group) != set(self.unpivot[0]):
                raise ValueError("every unpivot group must fill the same canonical columns")
        if self.school_years is not None:
            rule = self.columns.get("SchoolYear")
            if rule is None or rule.value is not None:
                raise ValueError(
                    "school_years needs a SchoolYear column from the file or its name, to tell "
                    "which year a file is of"
                )
        return self

    def _check_fixed_width(self, spec: FixedWidth) -> None:
        if self.delimiter is not None or self.header_line != 1 or self.secret_columns:
            raise ValueError("a fixed_width layout has no delimiter, header_line or secret_columns")
        fields = {normalize_name(name) for name in spec.fields}
        for rule in self.rules:
            if unknown := set(rule.normalized + rule.normalized_when_blank) - fields:
                raise ValueError(f"{sorted(unknown)} are not fields of fixed_width")

    @cached_property
    def raw_table(self) -> RawTable:
        for table in RAW_TABLES:
            if table.source == self.source and table.entity == self.feeds:
                return table
        raise ValueError(f"feeds: no raw table {self.source}__{self.feeds}")

    @property
    def rules(self) -> Iterable[ColumnRule]:
        yield from self.columns.values()
        for group in self.unpivot:
            yield from group.values()

    @cached_property
    def signature(self) -> tuple[tuple[str, ...], ...]:
        """The header names a file must have (each entry: its aliases)."""
        mapped = tuple(r.normalized for r in self.rules if r.from_file and not r.optional)
        return mapped + tuple(
            tuple(normalize_name(name) for name in names) for names in self.required_names
        )

    @property
    def required_names(self) -> list[list[str]]:
        """`requires`, each entry as its list of alternative names."""
        return [[entry] if isinstance(entry, str) else entry for entry in self.requires]

    def matches_file_name(self, name: str) -> bool:
        return not self.files or any(fnmatch.fnmatch(name.lower(), p.lower()) for p in self.files)


def load_layout(path: Path) -> Layout:
    """One layout file, validated; errors name the file."""
    try:
        # libyaml's safe loader: the same documents, ~10x faster than PyYAML's own (every
        # load and every database pull reads the 45 shipped layouts: 0.9 s -> 0.08 s here).
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
        return Layout.model_validate({**data, "path": path})
    except Exception as exc:
        raise ValueError(f"layout {path}: {exc}") from exc


def load_layouts(*extra: Path) -> tuple[Layout, ...]:
    """The shipped layouts, extended (and, by name, replaced) by the layouts in `extra` folders."""
    found: dict[str, Layout] = {}
    for folder in (SHIPPED, *extra):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.y*ml")):
            layout = load_layout(path)
            if layout.layout in found and folder == SHIPPED:
                raise ValueError(f"layout {layout.layout!r} is declared twice ({path})")
            if layout.layout in found:
                log.info(
                    "layout %s: the district's %s replaces the shipped one", layout.layout, path
                )
            found[layout.layout] = layout
    return tuple(found.values())
