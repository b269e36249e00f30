"""Who becomes a Superset user: the roster's teachers with a section this year, merged with the
district's people file (dashboards/people.py), on a small served-marts file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dashboards.people import roster_people
from serving.served import DuckDBServed


@pytest.fixture
def served(tmp_path: Path) -> DuckDBServed:
    """Three teachers: one teaching this year, one only last year, one without an email."""
    path = tmp_path / "served.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            """
            create schema marts;
            create table marts.dim_teacher as select * from (values
                (1, 'Ada.Byron@District.example ', 'Ada', 'Byron'),
                (2, 'old.timer@district.example', 'Old', 'Timer'),
                (3, null, 'No', 'Email')) as t(teacher_key, email, first_name, last_name);
            create table marts.dim_section as select * from (values
                (10, 2026), (11, 2025), (12, 2026)) as s(section_key, school_year);
            create table marts.fct_section_teacher as select * from (values
                (10, 1, 2026), (12, 1, 2026), (11, 2, 2025), (12, 3, 2026))
                as st(section_key, teacher_key, school_year);
            """
        )
    return DuckDBServed(path)


def test_teachers_with_a_section_this_year_and_the_people_file(served, tmp_path):
    people_file = tmp_path / "people.csv"
    people_file.write_text(
        "email,access,school_id\n"
        "Ada.Byron@district.example,principal,SCH01\n"
        "ada.byron@district.example,principal,SCH02\n"
        "office@district.example,district,\n"
    )
    people = {p.username: p for p in roster_people(served, people_file)}
    assert set(people) == {"ada.byron@district.example", "office@district.example"}
    ada = people["ada.byron@district.example"]
    # A teacher who is also a principal of two schools: the broader access, both schools.
    assert ada.teacher_key == 1 and ada.principal_of == ("SCH01", "SCH02")
    assert ada.access == "principal" and (ada.first_name, ada.last_name) == ("Ada", "Byron")
    assert people["office@district.example"].access == "district"
    assert [p.username for p in roster_people(served)] == ["ada.byron@district.example"]
