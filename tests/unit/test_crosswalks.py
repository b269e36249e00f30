"""Crosswalk keys: how codes and school names are compared, and the duplicate-key check that
names the file and its lines (pure Python; reading the files with DuckDB is an integration test)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from connectors.crosswalk_files import duplicate_problems, value_problems
from connectors.crosswalks import (
    ATTENDANCE_CATEGORY_KINDS,
    CROSSWALK_SPECS,
    SPECS_BY_NAME,
    normalize_code,
    normalize_school,
)
from connectors.home import Home
from devtools.demo import restore_school_crosswalk

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("typed", "compared"),
    [("a", "A"), (" A ", "A"), ("e\t", "E"), ("Language  Arts", "LANGUAGE ARTS"), (None, "")],
)
def test_codes_compare_case_and_white_space_insensitively(typed: str | None, compared: str) -> None:
    assert normalize_code(typed) == compared


@pytest.mark.parametrize(
    ("vendor", "sis"),
    [
        ("Lincoln Elem", "Lincoln Elementary School"),
        ("LINCOLN E.S.", "Lincoln Elementary"),
        ("Adams MS", "Adams Middle School"),
        ("Adams Middle", "Adams Middle School"),
        ("Franklin H.S.", "Franklin High School"),
        ("St. Mary's School", "ST MARYS"),
        ("0101", "101"),
        ("School 007", "School 7"),
        ("  washington-middle  school ", "Washington Middle School"),
    ],
)
def test_school_names_match_after_normalization(vendor: str, sis: str) -> None:
    assert normalize_school(vendor) == normalize_school(sis)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Lincoln Elementary School", "Lincoln Middle School"),
        ("Highland Elementary", "Lincoln Elementary"),
        ("101", "1010"),
    ],
)
def test_different_schools_stay_apart(one: str, other: str) -> None:
    assert normalize_school(one) != normalize_school(other)


def test_normalized_forms() -> None:
    assert normalize_school("Lincoln Elementary School") == "LINCOLN ES"
    assert normalize_school("Highland High") == "HIGHLAND HS"


def row(line: int, **values: str | None) -> dict:
    return {**values, "_line_number": line}


def test_a_duplicate_key_names_the_file_and_both_lines() -> None:
    spec = SPECS_BY_NAME["attendance_codes"]
    rows = [row(2, local_code="A"), row(3, local_code="E"), row(9, local_code=" a ")]

    [problem] = duplicate_problems(spec, rows)

    assert problem.startswith("attendance_codes.csv lines 2 and 9: the same key")
    assert "local_code 'A'" in problem


def test_keys_of_several_columns_and_schools() -> None:
    grades = SPECS_BY_NAME["grade_levels"]
    assert not duplicate_problems(
        grades, [row(2, source="map", local_code="K"), row(3, source="state", local_code="K")]
    )
    assert duplicate_problems(
        grades, [row(2, source="map", local_code="K"), row(5, source="MAP ", local_code="k")]
    )
    schools = SPECS_BY_NAME["school_crosswalk"]
    [problem] = duplicate_problems(
        schools,
        [
            row(2, source_system="map", vendor_school="Lincoln Elem"),
            row(4, source_system="attendance", vendor_school="Lincoln Elem"),
            row(7, source_system="map", vendor_school="LINCOLN ELEMENTARY SCHOOL"),
        ],
    )
    assert problem.startswith("school_crosswalk.csv lines 2 and 7:")


def test_a_private_file_never_quotes_its_key() -> None:
    spec = SPECS_BY_NAME["identity_overrides"]
    rows = [row(n, source="map", source_person_id="1234567") for n in (2, 3, 4)]

    [problem] = duplicate_problems(spec, rows)

    assert "lines 2, 3 and 4" in problem and "1234567" not in problem


def test_typed_columns_are_checked_with_their_line() -> None:
    spec = SPECS_BY_NAME["attendance_codes"]
    rows = [row(2, local_code="A", is_absent="yes", precedence="1.5")]

    assert value_problems(spec, rows) == [
        "attendance_codes.csv line 2: is_absent must be true or false",
        "attendance_codes.csv line 2: precedence must be a whole number",
    ]


def test_attendance_categories_are_known_kinds_of_absence_or_presence() -> None:
    spec = SPECS_BY_NAME["attendance_codes"]
    rows = [
        row(2, local_code="S", category_key="out_of_school_suspension", is_absent="true"),
        row(3, local_code="X", category_key="suspension", is_absent="true"),
        row(4, local_code="I", category_key="in_school_suspension", is_absent="true"),
    ]

    problems = value_problems(spec, rows)

    assert len(problems) == 2
    assert problems[0].startswith("attendance_codes.csv line 3: category_key 'suspension' is not")
    assert problems[1] == (
        "attendance_codes.csv line 4: is_absent must be false for in_school_suspension"
    )


def test_the_shipped_attendance_codes_split_absences_three_ways() -> None:
    path = REPO / "settings" / "crosswalks" / "attendance_codes.csv"
    with path.open(encoding="utf-8") as f:
        rows = [row(n, **r) for n, r in enumerate(csv.DictReader(f), start=2)]
    spec = SPECS_BY_NAME["attendance_codes"]

    assert value_problems(spec, rows) == []
    kinds = {ATTENDANCE_CATEGORY_KINDS[r["category_key"]] for r in rows}
    assert kinds == {"excused", "unexcused", "suspension", "present"}


def test_every_key_column_is_a_column_of_its_file() -> None:
    assert len(SPECS_BY_NAME) == len(CROSSWALK_SPECS)
    for spec in CROSSWALK_SPECS:
        assert set(spec.key) <= set(spec.columns), spec.name
        assert set(spec.school_columns) <= set(spec.key), spec.name


def test_an_older_demo_folder_gets_its_school_crosswalk_from_the_truth(tmp_path: Path) -> None:
    truth = tmp_path / "truth" / "counts.json"
    truth.parent.mkdir()
    truth.write_text(json.dumps({"schools": [{"att_code": "101", "sourced_id": "SCH01"}]}))
    home = Home(tmp_path)
    target = tmp_path / "config" / "crosswalks" / "school_crosswalk.csv"

    restore_school_crosswalk(home)
    assert target.read_text(encoding="utf-8").splitlines()[1].startswith("attendance,101,SCH01,")

    target.write_text("source_system,vendor_school,school_sourced_id\n", encoding="utf-8")
    restore_school_crosswalk(home)  # the district's file is never replaced
    assert target.read_text(encoding="utf-8") == "source_system,vendor_school,school_sourced_id\n"
