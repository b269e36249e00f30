"""The district's crosswalks, declared once: their files, columns, keys and who answers for them.

A crosswalk maps a source's local codes (or school codes and names) to the district's standard
values. Each is a CSV file in `$DISTRICTWIDE_HOME/config/crosswalks/` (shipped defaults in
`settings/crosswalks/`, copied there on a first run). This registry is what the loader
(`connectors.crosswalk_files`, duplicate keys and malformed lines) and `districtwide check`
(codes a file holds that no row maps) both read, so a key is declared in one place.

Codes are compared as dbt compares them (macros/crosswalks.sql, `code_key`): trimmed, runs of
white space as one space, upper case. School codes and names are compared after `school_key`,
which also drops punctuation and leading zeros and writes "Elementary"/"Elem"/"ES",
"Middle School"/"MS", "High School"/"HS" one way and a trailing "School" not at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_SPACE = re.compile(r"\s+")
# Applied in order to ' ' + upper-cased, punctuation-free text + ' ' (the same in the dbt macro).
_SCHOOL_WORDS = (
    (re.compile(r" 0+([0-9])"), r" \1"),
    (re.compile(r" (ELEMENTARY SCHOOL|ELEMENTARY|ELEM|ES) "), " ES "),
    (re.compile(r" (MIDDLE SCHOOL|MIDDLE|MS) "), " MS "),
    (re.compile(r" (HIGH SCHOOL|HIGH|HS) "), " HS "),
    (re.compile(r" SCHOOL $"), " "),
)


def normalize_code(code: str | None) -> str:
    """A code as every crosswalk join compares it: trimmed, inner white space as one space,
    upper case (`code_key` in dbt)."""
    return _SPACE.sub(" ", code or "").strip().upper()


def benchmark_grade_code(value: str | None) -> str:
    """A benchmark vendor's grade as staging reads it before the crosswalk (macro
    `benchmark_grade_code`): `KG`, `K`, `0`, `00` are `K`; `PK`, `PREK`, `P` are `PK`; `03` is
    `3`."""
    code = (value or "").strip()
    if code.upper() in ("KG", "K", "0", "00"):
        return "K"
    if code.upper() in ("PK", "PREK", "P"):
        return "PK"
    return code.lstrip("0")


def normalize_school(value: str | None) -> str:
    """A school code or name as school matching compares it (`school_key` in dbt): `Lincoln Elem`,
    `LINCOLN ELEMENTARY SCHOOL` and `Lincoln E.S.` are all `LINCOLN ES`; `0101` is `101`."""
    text = (value or "").upper().replace("'", "").replace(".", "")
    text = " " + _SPACE.sub(" ", re.sub(r"[^A-Z0-9]", " ", text)).strip() + " "
    for pattern, replacement in _SCHOOL_WORDS:
        text = pattern.sub(replacement, text)
    return text.strip()


@dataclass(frozen=True)
class CrosswalkSpec:
    """One crosswalk file: `name`.csv with `columns` (in any order, more allowed), unique on
    `key` (each column compared as a code, or as a school in `school_columns`).

    `domain` is the source whose steward answers for the file (alerts); `private` files hold
    student IDs, which an error message never quotes.
    """

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    domain: str
    description: str
    school_columns: tuple[str, ...] = ()
    private: bool = False

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    def normalize(self, column: str, value: str | None) -> str:
        if column in self.school_columns:
            return normalize_school(value)
        return normalize_code(value)


CROSSWALK_SPECS: tuple[CrosswalkSpec, ...] = (
    CrosswalkSpec(
        "attendance_codes",
        (
            "local_code",
            "local_description",
            "attendance_event_category",
            "category_key",
            "is_absent",
            "is_excused",
            "precedence",
        ),
        ("local_code",),
        "attendance",
        "Attendance system code → Ed-Fi attendance event category; category_key says what the "
        "day counts as (ATTENDANCE_CATEGORY_KINDS: excused, unexcused, out-of-school suspension "
        "or present); precedence picks the day's category when a student has two codes on one "
        "day (1 wins).",
    ),
    CrosswalkSpec(
        "school_crosswalk",
        ("source_system", "vendor_school", "school_sourced_id"),
        ("source_system", "vendor_school"),
        "sis",
        "A source system's school code or name (attendance, state_assessment, map, benchmark) → "
        "the SIS school's sourcedId, confirmed by a steward; values without a row are matched to "
        "one SIS school by name or code when exactly one fits (audit.school_crosswalk_report).",
        school_columns=("vendor_school",),
    ),
    CrosswalkSpec(
        "grade_levels",
        ("source", "local_code", "grade_level", "grade_number"),
        ("source", "local_code"),
        "sis",
        "Each source's grade codes → Ed-Fi grade level descriptor and a number (K = 0).",
    ),
    CrosswalkSpec(
        "academic_subjects",
        ("source", "local_code", "academic_subject"),
        ("source", "local_code"),
        "assessment",
        "Each source's subject names → one academic subject.",
    ),
    CrosswalkSpec(
        "achievement_levels",
        (
            "assessment",
            "subject",
            "grade",
            "local_code",
            "achievement_level",
            "level_order",
            "is_proficient",
            "min_scale_score",
            "max_scale_score",
        ),
        ("assessment", "subject", "grade", "local_code"),
        "assessment",
        "Performance levels per assessment, subject code and grade number (blank = any; the "
        "most specific row wins) with their scale-score band and whether they are proficient.",
    ),
    CrosswalkSpec(
        "score_ranges",
        ("assessment", "subject", "grade", "min_score", "max_score", "source"),
        ("assessment", "subject", "grade"),
        "assessment",
        "The valid score range per assessment, subject code and grade number (blank = any; the "
        "most specific row wins), from the publisher's scale, cited in `source`; a MAP RIT "
        "outside it is quarantined (state tests: the bands of achievement_levels).",
    ),
    CrosswalkSpec(
        "not_tested_codes",
        ("assessment", "local_code", "is_tested", "reason"),
        ("assessment", "local_code"),
        "assessment",
        "Participation codes per assessment (NotTestedCode, or a code in the level column): "
        "is_tested false = not tested for `reason` (kept, counted as not tested, not a failure).",
    ),
    CrosswalkSpec(
        "program_codes",
        ("local_code", "program", "subgroup_column"),
        ("local_code",),
        "sis",
        "SIS program codes → subgroup (English learner, students with disabilities, low income).",
    ),
    CrosswalkSpec(
        "race_ethnicity",
        ("oneroster_flag", "race_ethnicity", "report_order"),
        ("oneroster_flag",),
        "sis",
        "OneRoster race/ethnicity flags → federal reporting categories.",
    ),
    CrosswalkSpec(
        "sex_codes",
        ("source", "local_code", "sex"),
        ("source", "local_code"),
        "sis",
        "Each source's sex/gender codes → one value.",
    ),
    CrosswalkSpec(
        "calendar_day_types",
        ("local_code", "calendar_event", "is_instructional"),
        ("local_code",),
        "sis",
        "SIS calendar day types → whether the day is instructional.",
    ),
    CrosswalkSpec(
        "map_terms",
        ("season", "term_order"),
        ("season",),
        "assessment",
        "NWEA MAP testing seasons in the order of a school year.",
    ),
    CrosswalkSpec(
        "identity_overrides",
        (
            "source",
            "source_person_id",
            "student_sourced_id",
            "decision",
            "decided_by",
            "decided_on",
            "note",
        ),
        ("source", "source_person_id"),
        "sis",
        "Stewards' identity decisions; they win over every rule: `link` ties the source person "
        "record to `student_sourced_id`, `no_match` keeps it unmatched.",
        private=True,
    ),
)

SPECS_BY_NAME: dict[str, CrosswalkSpec] = {spec.name: spec for spec in CROSSWALK_SPECS}


@dataclass(frozen=True)
class CodeColumn:
    """Column `column` of raw table `table` is mapped by crosswalk `crosswalk` on its `key`
    (rows where `where` holds); `school` columns are matched as schools (`source_system`). With
    `fallback`, a row whose `column` is blank or unmapped is mapped by its `fallback` column (a
    benchmark's school: its state code, else its name). A `seed` crosswalk is one of the project's
    dbt seeds (dbt_project/seeds/), read as staging reads it, not a district file."""

    table: str
    column: str
    crosswalk: str
    key: str
    where: tuple[str, str] | None = None
    school: bool = False
    fallback: str | None = None
    seed: bool = False
    # A dbt seed (name, key, code) that staging reads first: a value that is one of its keys is
    # mapped when the seed's code is (a Star Enterprise export's Activity Type is its Subject:
    # seed benchmark_activity_types gives the subject code the crosswalk maps).
    also_seed: tuple[str, str, str] | None = None
    # The value as staging reads it before the crosswalk looks it up (a benchmark's grade).
    read_as: Callable[[str], str] | None = None


CODE_COLUMNS: tuple[CodeColumn, ...] = (
    CodeColumn("attendance__exceptions", "AttCode", "attendance_codes", "local_code"),
    CodeColumn(
        "attendance__exceptions",
        "SchoolCode",
        "school_crosswalk",
        "vendor_school",
        ("source_system", "attendance"),
        school=True,
    ),
    CodeColumn(
        "attendance__students",
        "SchoolCode",
        "school_crosswalk",
        "vendor_school",
        ("source_system", "attendance"),
        school=True,
    ),
    CodeColumn(
        "attendance__students", "Grade", "grade_levels", "local_code", ("source", "attendance")
    ),
    CodeColumn("sis__calendar", "dayType", "calendar_day_types", "local_code"),
    CodeColumn("sis__programs", "programCode", "program_codes", "local_code"),
    CodeColumn(
        "assessment__state_results",
        "TestedGrade",
        "grade_levels",
        "local_code",
        ("source", "state"),
    ),
    CodeColumn(
        "assessment__state_results",
        "Subject",
        "academic_subjects",
        "local_code",
        ("source", "state"),
    ),
    CodeColumn(
        "assessment__state_results",
        "SchoolCode",
        "school_crosswalk",
        "vendor_school",
        ("source_system", "state_assessment"),
        school=True,
    ),
    CodeColumn("assessment__map_results", "Grade", "grade_levels", "local_code", ("source", "map")),
    # MAP's Subject is mapped with its Course by the map_subjects seed ("Language Arts" holds
    # Reading and Language Usage), never by academic_subjects: check it against the same seed.
    CodeColumn("assessment__map_results", "Subject", "map_subjects", "map_subject", seed=True),
    CodeColumn(
        "assessment__map_results",
        "SchoolName",
        "school_crosswalk",
        "vendor_school",
        ("source_system", "map"),
        school=True,
    ),
    # A benchmark's subject code: the crosswalk (source benchmark: aimswebPlus measures, STAAR
    # Interim test codes, FastBridge's aReading), or a Star Enterprise activity type.
    CodeColumn(
        "assessment__benchmark_results",
        "Subject",
        "academic_subjects",
        "local_code",
        ("source", "benchmark"),
        also_seed=("benchmark_activity_types", "activity_type", "subject_code"),
    ),
    CodeColumn(
        "assessment__benchmark_results",
        "SchoolCode",
        "school_crosswalk",
        "vendor_school",
        ("source_system", "benchmark"),
        school=True,
        fallback="SchoolName",
    ),
    CodeColumn(
        "assessment__benchmark_results",
        "Grade",
        "grade_levels",
        "local_code",
        ("source", "benchmark"),
        read_as=benchmark_grade_code,
    ),
)


def code_columns_for(table: str) -> list[CodeColumn]:
    return [c for c in CODE_COLUMNS if c.table == table]


# Columns typed in dbt (models/crosswalks/); the loader checks their values before dbt casts them.
INTEGER_COLUMNS = frozenset(
    {"precedence", "grade_number", "grade", "level_order", "min_scale_score", "max_scale_score"}
    | {"report_order", "term_order", "min_score", "max_score"}
)
BOOLEAN_COLUMNS = frozenset(
    {"is_absent", "is_excused", "is_proficient", "is_tested", "is_instructional"}
)

#: attendance_codes.category_key → what the day is in the attendance marts. Absences are excused,
#: unexcused or out-of-school suspension, reported apart and adding up to all absent days (the
#: federal chronic-absence definition counts all three); every other category is a present day.
#: Ed-Fi's default AttendanceEventCategoryDescriptor values are In Attendance, Excused Absence,
#: Unexcused Absence, Tardy and Early departure (CEDS "Attendance Status" likewise); suspensions
#: and school activities are district or state descriptors. dbt reads the same keys
#: (fct_attendance_exception_day).
ATTENDANCE_CATEGORY_KINDS: dict[str, str] = {
    "excused_absence": "excused",
    "unexcused_absence": "unexcused",
    "out_of_school_suspension": "suspension",
    "in_school_suspension": "present",
    "tardy": "present",
    "early_departure": "present",
    "school_activity": "present",
    "in_attendance": "present",
}
