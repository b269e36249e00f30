"""Generator runs: the same seed gives the same bytes, a clean run plants no fault, several school
years advance grades and split the files by year.

Integration: it generates districts of 600 to 1,000 students and reads them with DuckDB.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest

from synthetic import GeneratorConfig, generate
from synthetic.__main__ import main
from synthetic.faults import TAGS
from tests.fixtures.synthetic_files import (
    EXCEPTIONS_2026,
    counts,
    load,
    one,
    student_days,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("two_years")
    generate(GeneratorConfig(n_students=1000, seed=5, out_dir=out, years=2, end_year=2026))
    return out


def digest(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((a, 3), (b, 3), (c, 4)):
        generate(GeneratorConfig(n_students=600, seed=seed, out_dir=out))
    assert digest(a) == digest(b)
    assert len(digest(a)) == 28  # 14 exports, 13 truth files, config/crosswalks/school_crosswalk
    assert digest(a)["landing/sis/users.csv"] != digest(c)["landing/sis/users.csv"]


def test_clean_run_has_no_faults(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--students", "600", "--seed", "2", "--out", str(tmp_path), "--clean"]) == 0
    assert "600 students" in capsys.readouterr().out
    files = counts(tmp_path)["files"]
    assert all(v[t] == 0 for v in files.values() for t in TAGS)
    con = load(tmp_path)
    assert one(con, "select count(*) from records where faults <> ''") == 0
    assert one(con, "select count(*) from students where known_to <> 'sis'") == 0
    unmatched = one(
        con,
        """
        select count(*) from attendance_students a
        full join (from users where role = 'student') u on u.sourcedId = a.SisNumber
        where a.SisNumber is null or u.sourcedId is null
        """,
    )
    assert unmatched == 0


def test_years_advance_grades_and_split_files(two_years: Path) -> None:
    c = counts(two_years)
    assert c["school_years"] == [2025, 2026]
    att = sorted(p.name for p in (two_years / "landing" / "attendance").iterdir())
    assert att == [
        "attendance_exceptions_2024-2025.csv",
        EXCEPTIONS_2026,
        "attendance_students.csv",
    ]
    tests = sorted(p.name for p in (two_years / "landing" / "assessment").iterdir())
    assert tests == [
        "AssessmentResults.csv",
        "state_assessment_2025.csv",
        "state_assessment_2026.csv",
    ]
    con = load(two_years)
    terms = Counter(r[0] for r in con.execute("select TermName from AssessmentResults").fetchall())
    assert set(terms) == {
        f"{t} {y - 1}-{y}" for t in ("Fall", "Winter", "Spring") for y in (2025, 2026)
    }
    sessions = [r[0] for r in con.execute("select sourcedId from academicSessions").fetchall()]
    assert sessions == ["Y2025", "Y2025S1", "Y2025S2", "Y2026", "Y2026S1", "Y2026S2"]
    assert student_days(con) == c["attendance"]["student_days_by_year"]
    moves = con.execute(
        """
        with g as (
            select distinct e.userSourcedId as student, left(c.sourcedId, 6) as year, c.grades
            from enrollments e join classes c on c.sourcedId = e.classSourcedId
            where e.role = 'student'
        )
        select a.grades, b.grades from g a join g b
          on a.student = b.student and a.year = 'CL2025' and b.year = 'CL2026'
        """
    ).fetchall()
    order = ["KG", *(f"{g:02d}" for g in range(1, 13))]
    assert len(moves) > 700
    steps = Counter(order.index(b) - order.index(a) for a, b in moves)
    assert set(steps) == {0, 1}, "a student goes up one grade or repeats it"
    assert 0 < steps[0] < 0.05 * len(moves), "about 1.5% repeat their grade"
    assert c["sis"]["courses"] == 2 * 39
    graduates = one(
        con,
        """
        select count(distinct e.userSourcedId) from enrollments e
        join classes c on c.sourcedId = e.classSourcedId
        where c.sourcedId like 'CL2025-%' and c.grades = '12' and e.role = 'student'
          and e.userSourcedId in (select userSourcedId from enrollments
                                  where classSourcedId like 'CL2026-%'
                                    and classSourcedId not like 'CL2026-%-12-%')
        """,
    )
    assert graduates == 0, "grade 12 students graduate (or repeat grade 12)"
    teachers = con.execute(
        """
        select left(c.sourcedId, 6) as year, list(distinct e.userSourcedId) as teachers
        from enrollments e join classes c on c.sourcedId = e.classSourcedId
        where e.role = 'teacher' group by 1 order by 1
        """
    ).fetchall()
    before, after = (set(t) for _, t in teachers)
    left_, joined = before - after, after - before
    assert 0.03 * len(before) < len(left_) < 0.2 * len(before), "about 10% of teachers leave"
    assert len(joined) >= len(left_) * 0.8, "new teachers take their posts"
