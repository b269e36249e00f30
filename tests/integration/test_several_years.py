"""A three-year district (school years 2020-2022, MCAS files) through the whole current load.

The state files change layout once across these years, as Massachusetts' did: the 2020 and 2021
files carry `ecodis`, the 2022 file `lowincome` (`mcas_student_data_2019` and
`mcas_student_data`, the layout versions by school year). Today's marts must still equal the
generator's truth: the truth checks of the one-year district run here unchanged, over every year
the truth counts (not the transfer check: at 600 students a level has one school). The per-year
truth files (student_years, trend_*) must agree with the
generator's own exports.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import duckdb
import pytest

from connectors.home import Home
from tests.conftest import District, generate, run_load
from tests.integration import test_consolidated_load, test_inquiry_marts

pytestmark = pytest.mark.integration

YEARS = (2020, 2021, 2022)


@pytest.fixture(scope="module")
def three_years(tmp_path_factory: pytest.TempPathFactory) -> District:
    """600 students a year, three years ending 2022, MCAS state files; loaded once."""
    root = tmp_path_factory.mktemp("three_years")
    generate(root, 600, 11, "--years", "3", "--end-year", str(YEARS[-1]), "--state", "mcas")
    home = Home(root).ensure()
    result = run_load(home)
    assert result.success, "consolidated_load failed"
    counts = json.loads((root / "truth" / "counts.json").read_text())
    return District(home, counts)


def test_each_state_file_is_read_with_the_layout_version_of_its_year(
    three_years: District,
) -> None:
    home = three_years.home
    rows = duckdb.sql(
        f"""
        select regexp_extract(source_path, 'MCAS(\\d{{4}})', 1)::int, layout, status
        from read_parquet('{home.audit}/2*.parquet', union_by_name = true)
        where source_path like '%MCAS%'
        order by 1
        """
    ).fetchall()

    assert rows == [
        (2020, "mcas_student_data_2019", "loaded"),
        (2021, "mcas_student_data_2019", "loaded"),
        (2022, "mcas_student_data", "loaded"),
    ]


def test_the_old_version_files_results_are_in_the_marts(three_years: District) -> None:
    expected: dict[tuple[int, str], int] = {}
    for r in three_years.counts["assessment"]["state_proficient_by_school_subject"]:
        key = (r["school_year"], r["subject"])
        expected[key] = expected.get(key, 0) + r["n_tested"]
    with three_years.warehouse() as con:
        rows = con.execute(
            """
            select p.school_year, subj.local_code, sum(p.n_tested)
            from marts.agg_proficiency_by_school p
            join crosswalks.academic_subjects subj
                on subj.source = 'state' and subj.academic_subject = p.academic_subject
                and subj.local_code in ('ELA', 'MATH')
            where p.subgroup = 'all_students'
            group by all
            """
        ).fetchall()
    tested = {(year, subject): n for year, subject, n in rows}
    assert {year for year, _ in tested} == set(YEARS)
    assert tested == expected


#: Today's truth checks of the one-year district, run on the three-year one.
TRUTH_CHECKS: list[Callable[[District], None]] = [
    test_consolidated_load.test_every_mart_row_count_matches_the_truth,
    test_consolidated_load.test_linked_fact_rows_plus_rows_waiting_for_review_reproduce_the_truth,
    test_consolidated_load.test_identity_precision_is_one,
    test_consolidated_load.test_absence_days_match_the_truth_for_linked_rows,
    test_inquiry_marts.test_chronic_absence_per_year_matches_the_truth,
    test_inquiry_marts.test_state_proficiency_per_school_and_subject_matches_the_truth,
    test_inquiry_marts.test_growth_rows_come_from_the_map_results_in_each_window,
]


@pytest.mark.parametrize("check", TRUTH_CHECKS, ids=lambda check: check.__name__)
def test_todays_marts_equal_the_truth_on_three_years(
    three_years: District, check: Callable[[District], None]
) -> None:
    check(three_years)


def test_chronic_absence_trend_truth_equals_the_counts(three_years: District) -> None:
    """trend_chronic_absence's `all` rows are counts.json's per-year and per-school figures (which
    the marts are checked against above), for every year."""
    truth = three_years.truth
    counts = three_years.counts["attendance"]
    trend = (
        duckdb.connect()
        .execute(
            f"""
            select school_year, school, n_students, n_chronically_absent, n_days_enrolled,
                   n_days_absent
            from read_parquet('{truth}/trend_chronic_absence.parquet')
            where subgroup = 'all'
            """
        )
        .fetchall()
    )
    district = {(y, None): (n, c) for y, school, n, c, *_ in trend if school is None}
    schools = {(y, school): tuple(rest) for y, school, *rest in trend if school is not None}

    with_days, chronic = counts["students_with_10plus_days"], counts["chronic_absent_students"]
    assert district == {(int(y), None): (with_days[y], chronic[y]) for y in chronic}
    assert schools == {
        (r["school_year"], r["school"]): (
            r["students_with_10plus_days"],
            r["chronic_absent_students"],
            r["days_enrolled"],
            r["days_absent"],
        )
        for r in counts["by_school"]
    }
    assert {y for y, _ in schools} == set(YEARS)


def test_student_years_follow_the_sis_enrollments(three_years: District) -> None:
    """Each SIS child's grade and schools per year in student_years are those of their class
    enrollments in the SIS export (the history a district's SIS holds)."""
    root = three_years.home.root
    sis = root / "landing" / "sis"
    wrong = (
        duckdb.connect()
        .execute(
            f"""
        with enrolled as (
            select e.userSourcedId as sis_local_id,
                   cast(substr(c.termSourcedIds, 2, 4) as integer) as school_year,
                   max(case when c.grades = 'KG' then 0 else cast(c.grades as integer) end)
                       as grade,
                   list(distinct e.schoolSourcedId order by e.schoolSourcedId) as schools
            from read_csv('{sis}/enrollments.csv', all_varchar = true) e
            join read_csv('{sis}/classes.csv', all_varchar = true) c
                on c.sourcedId = e.classSourcedId
            where e.role = 'student'
            group by all
        )
        select count(*) filter (where e.grade is distinct from y.grade
                                   or e.schools is distinct from y.schools),
               count(*)
        from read_parquet('{root}/truth/student_years.parquet') y
        full join enrolled e using (sis_local_id, school_year)
        """
        )
        .fetchone()
    )

    assert wrong[1] > 3 * 600 * 0.9
    assert wrong[0] == 0


def test_proficiency_trend_truth_equals_the_program_subgroup_counts(
    three_years: District,
) -> None:
    """trend_proficiency's program-subgroup cells per school are counts.json's
    state_by_school_program_subgroup (the same rows, the same any-day rule), for every year."""
    truth = three_years.truth
    expected = {
        (r["school_year"], r["school_code"], r["subject"], r["subgroup"], r["in_subgroup"]): (
            r["n_tested"],
            r["n_proficient"],
        )
        for r in three_years.counts["assessment"]["state_by_school_program_subgroup"]
    }
    rows = (
        duckdb.connect()
        .execute(
            f"""
            select school_year, school_code, subject, subgroup, subgroup_value = 'true',
                   n_tested, n_proficient
            from read_parquet('{truth}/trend_proficiency.parquet')
            where school_code is not null
              and subgroup in ('is_english_learner', 'has_disability', 'is_low_income')
            """
        )
        .fetchall()
    )

    assert {r[:5]: r[5:] for r in rows} == expected
    assert {key[0] for key in expected} == set(YEARS)
