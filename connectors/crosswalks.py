"""Which canonical columns hold local codes, and the crosswalk (dbt seed) that maps each.

`districtwide check` uses this to list a file's codes that no crosswalk row maps, before a load
would quarantine their rows. Codes are compared as staging compares them: trimmed, upper case.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from connectors.home import REPO_ROOT

SEEDS = REPO_ROOT / "dbt_project" / "seeds"


@dataclass(frozen=True)
class Crosswalk:
    """Column `column` of raw table `table` is mapped by `seed`'s `key` (rows where `where`)."""

    table: str
    column: str
    seed: str
    key: str
    where: tuple[str, str] | None = None

    def codes(self, folder: Path = SEEDS) -> frozenset[str]:
        with (folder / f"{self.seed}.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        if self.where:
            column, value = self.where
            rows = [r for r in rows if r[column] == value]
        return frozenset(normalize_code(r[self.key]) for r in rows)


def normalize_code(code: str | None) -> str:
    return (code or "").strip().upper()


CROSSWALKS: tuple[Crosswalk, ...] = (
    Crosswalk("attendance__exceptions", "AttCode", "attendance_codes", "local_code"),
    Crosswalk(
        "attendance__exceptions",
        "SchoolCode",
        "attendance_school_codes",
        "attendance_school_code",
    ),
    Crosswalk(
        "attendance__students", "Grade", "grade_levels", "local_code", ("source", "attendance")
    ),
    Crosswalk("sis__calendar", "dayType", "calendar_day_types", "local_code"),
    Crosswalk("sis__programs", "programCode", "program_codes", "local_code"),
    Crosswalk(
        "assessment__state_results",
        "TestedGrade",
        "grade_levels",
        "local_code",
        ("source", "state"),
    ),
    Crosswalk(
        "assessment__state_results",
        "Subject",
        "academic_subjects",
        "local_code",
        ("source", "state"),
    ),
    Crosswalk("assessment__map_results", "Grade", "grade_levels", "local_code", ("source", "map")),
    Crosswalk(
        "assessment__map_results", "Subject", "academic_subjects", "local_code", ("source", "map")
    ),
)


def crosswalks_for(table: str) -> list[Crosswalk]:
    return [c for c in CROSSWALKS if c.table == table]
