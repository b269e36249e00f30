"""The district's crosswalk files read by DuckDB: created from the defaults and never overwritten,
malformed files named with their line, good ones written with each row's line for dbt."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import psycopg2
import pytest

from connectors.crosswalk_files import (
    DEFAULTS,
    check_crosswalk,
    crosswalk_dir,
    ensure_crosswalks,
    load_crosswalks,
    parquet_dir,
)
from connectors.crosswalks import CROSSWALK_SPECS, SPECS_BY_NAME, normalize_code, normalize_school
from connectors.home import REPO_ROOT, Home
from tests.conftest import require_service

pytestmark = pytest.mark.integration

CODES = SPECS_BY_NAME["attendance_codes"]
HEADER = ",".join(CODES.columns) + "\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_first_run_copies_the_defaults_and_never_overwrites(tmp_path: Path) -> None:
    home = Home(tmp_path)
    created = ensure_crosswalks(home)
    assert {p.name for p in created} == {s.file_name for s in CROSSWALK_SPECS}
    mine = write(
        crosswalk_dir(home) / "attendance_codes.csv", HEADER + "P,Present,,,false,false,9\n"
    )
    (crosswalk_dir(home) / "map_terms.csv").unlink()

    again = ensure_crosswalks(home)

    assert [p.name for p in again] == ["map_terms.csv"]
    assert mine.read_text(encoding="utf-8").endswith("P,Present,,,false,false,9\n")
    assert (crosswalk_dir(home) / "map_terms.csv").read_bytes() == (
        DEFAULTS / "map_terms.csv"
    ).read_bytes()


def test_malformed_files_name_file_and_line(tmp_path: Path) -> None:
    too_many = write(
        tmp_path / "attendance_codes.csv", HEADER + "A,x,y,z,true,false,1\nB,x,y,z,true,false,2,3\n"
    )
    missing = write(tmp_path / "m" / "attendance_codes.csv", "local_code,precedence\nA,1\n")
    empty = write(tmp_path / "e" / "attendance_codes.csv", "")

    assert check_crosswalk(CODES, too_many)[0] == [
        "attendance_codes.csv line 3: too many columns (the header has 7)"
    ]
    [problem] = check_crosswalk(CODES, missing)[0]
    assert problem.startswith(
        "attendance_codes.csv line 1: header lacks column(s) local_description"
    )
    assert check_crosswalk(CODES, empty)[0][0].startswith("attendance_codes.csv line 1: no header")


def test_lines_count_quoted_newlines_and_blank_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "attendance_codes.csv",
        HEADER
        + 'A,"two\nlines",y,unexcused_absence,true,false,1\n\n'
        + "E,x,y,excused_absence,true,true,2\na,x,y,unexcused_absence,true,false,3\n",
    )

    problems, rows, _ = check_crosswalk(CODES, path)

    assert [r["_line_number"] for r in rows] == [2, 5, 6]
    assert problems == [
        "attendance_codes.csv lines 2 and 6: the same key (local_code 'A'); keep one row per key"
    ]


def test_an_attendance_category_the_marts_do_not_know_is_named_with_its_line(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "attendance_codes.csv",
        HEADER + "OSS,Suspended,Suspension,suspension,true,false,1\n"
        "ISS,In-school suspension,In-school suspension,in_school_suspension,true,false,2\n",
    )

    problems = check_crosswalk(CODES, path)[0]

    assert len(problems) == 2
    assert problems[0].startswith("attendance_codes.csv line 2: category_key 'suspension'")
    assert problems[1] == (
        "attendance_codes.csv line 3: is_absent must be false for in_school_suspension"
    )


def test_good_files_are_written_for_dbt_and_a_bad_one_keeps_the_last_good_copy(
    tmp_path: Path,
) -> None:
    home = Home(tmp_path)
    first = load_crosswalks(home)
    assert all(r.ok for r in first)
    written = parquet_dir(home) / "attendance_codes.parquet"
    with duckdb.connect() as con:
        rows = con.execute(
            f"select local_code, _source_file, _line_number from read_parquet('{written}') "
            "order by _line_number limit 1"
        ).fetchall()
    assert rows == [("A", "attendance_codes.csv", 2)]
    before = written.read_bytes()
    path = crosswalk_dir(home) / "attendance_codes.csv"
    write(path, path.read_text(encoding="utf-8") + "A,again,y,z,true,false,9\n")

    second = {r.spec.name: r for r in load_crosswalks(home)}

    assert not second["attendance_codes"].ok and second["grade_levels"].ok
    assert written.read_bytes() == before


# The macros' SQL as dbt renders it for one column `v` (dbt_project/macros/crosswalks.sql).
MACROS = (REPO_ROOT / "dbt_project" / "macros" / "crosswalks.sql").read_text(encoding="utf-8")
SPELLINGS = [
    "Lincoln Elem",
    "LINCOLN E.S.",
    "St. Mary's School",
    "0101",
    "School 007",
    "  washington-middle  school ",
    "Franklin H.S.",
    "Adams Middle",
    " a\t",
]


def macro_sql(name: str) -> str:
    body = re.search(rf"macro {name}\(expr\) -%\}}(.*?)\{{%- endmacro", MACROS, re.S)
    assert body, name
    return body.group(1).replace("{{ expr }}", "v")


def expected() -> list[tuple[str, str]]:
    return [(normalize_school(v), normalize_code(v)) for v in SPELLINGS]


def test_the_dbt_macros_normalize_as_python_does_in_duckdb() -> None:
    query = f"select {macro_sql('school_key')}, {macro_sql('code_key')} from (select ? as v)"
    with duckdb.connect() as con:
        assert [con.execute(query, [v]).fetchall()[0] for v in SPELLINGS] == expected()


@pytest.mark.postgres
def test_the_dbt_macros_normalize_as_python_does_in_postgres() -> None:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    query = (
        f"select {macro_sql('school_key')}, {macro_sql('code_key')} from (select %s::text as v) t"
    )
    con = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="test")
    try:
        cur = con.cursor()
        found = []
        for value in SPELLINGS:
            cur.execute(query, (value,))
            found.append(cur.fetchone())
    finally:
        con.close()
    assert found == expected()


def test_a_bad_line_after_a_quoted_newline_is_named_by_its_physical_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "attendance_codes.csv",
        HEADER + 'A,"two\nlines",y,z,true,false,1\nE,x,y,z,true,true,2,extra\n',
    )

    assert check_crosswalk(CODES, path)[0] == [
        "attendance_codes.csv line 4: too many columns (the header has 7)"
    ]
