"""Issue 18 on a three-year generated district: the student × school year dimension and every
trend mart against the generator's truth per year, school and subgroup (synthetic/truth.py,
"Per school year").

As in test_inquiry_marts, the truth counts every valid record of a SIS child, including those the
pipeline leaves waiting for identity review; a mart's figure plus those records reproduces the
truth exactly. A student whose attendance record waits is "attendance incomplete": out of the
rates, counted in n_students_awaiting_review.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connectors.home import Home
from synthetic.truth import CHRONIC_MIN_DAYS, CHRONIC_THRESHOLD
from tests.conftest import District, generate, run_load

pytestmark = pytest.mark.integration

YEARS = 3

#: The truth's subgroup and value (synthetic/truth.py TREND_SUBGROUPS) of a mart cell
#: (macros/subgroups.sql), as SQL over a relation `c` with subgroup and subgroup_value; grade
#: values through `g` (the grade_levels crosswalk: grade_level -> grade_number).
TRUTH_SUBGROUP = """
    case c.subgroup when 'all_students' then 'all' when 'grade_level' then 'grade'
        else c.subgroup end
"""
TRUTH_VALUE = """
    case c.subgroup
        when 'all_students' then 'all'
        when 'grade_level' then cast(g.grade_number as varchar)
        when 'is_english_learner' then cast(c.subgroup_value = 'English learner' as varchar)
        when 'has_disability' then cast(c.subgroup_value = 'Students with disabilities' as varchar)
        when 'is_low_income' then cast(c.subgroup_value = 'Low income' as varchar)
        else c.subgroup_value end
"""
GRADES = "(select distinct grade_level, grade_number from crosswalks.grade_levels) g"


def truth_groups(truth: Path) -> str:
    """The truth's subgroup and value of every SIS child and school year (student_years)."""
    years = f"read_parquet('{truth}/student_years.parquet')"
    pairs = [
        ("'all'", "'all'"),
        ("'grade'", "cast(grade as varchar)"),
        ("'race_ethnicity'", "race_ethnicity"),
        ("'sex'", "sex"),
        *[(f"'{p}'", f"cast({p} as varchar)") for p in TRUTH_PROGRAMS],
    ]
    return " union all ".join(
        f"select true_student_id, sis_local_id, school_year, {s} as subgroup, "
        f"{v} as subgroup_value from {years}"
        for s, v in pairs
    )


TRUTH_PROGRAMS = ("is_english_learner", "has_disability", "is_low_income")


@pytest.fixture(scope="module")
def years_district(tmp_path_factory: pytest.TempPathFactory) -> District:
    """A 1,200-student district over three school years, loaded once."""
    root = tmp_path_factory.mktemp("years-district")
    generate(root, 1200, 11, "--years", str(YEARS))
    home = Home(root).ensure()
    result = run_load(home)
    assert result.success, "consolidated_load failed"
    counts = json.loads((root / "truth" / "counts.json").read_text())
    return District(home, counts)


def test_the_district_has_several_years(years_district: District) -> None:
    assert len(years_district.counts["school_years"]) == YEARS
    with years_district.warehouse() as con:
        years = con.execute(
            "select count(distinct school_year) from marts.dim_student_school_year"
        ).fetchone()[0]
    assert years == YEARS


def test_student_school_years_match_the_truth(years_district: District) -> None:
    truth = years_district.truth
    with years_district.warehouse() as con:
        n_mart, n_truth, n_joined, wrong = con.execute(
            f"""
            with truth as (
                select * from read_parquet('{truth}/student_years.parquet')
            ),
            mart as (
                select d.local_id, y.*, s.school_id as school_of_record
                from marts.dim_student_school_year y
                join marts.dim_student d using (student_key)
                join marts.dim_school s on s.school_key = y.school_key
            )
            select
                (select count(*) from mart), (select count(*) from truth), count(*),
                count(*) filter (where m.grade_number is distinct from t.grade
                    or m.school_of_record <> t.last_school
                    or m.n_schools <> t.n_schools
                    or m.school_ids <> array_to_string(list_sort(t.schools), ',')
                    or m.race_ethnicity <> t.race_ethnicity
                    or m.is_english_learner <> t.is_english_learner
                    or m.has_disability <> t.has_disability
                    or m.is_low_income <> t.is_low_income)
            from mart m
            join truth t on t.sis_local_id = m.local_id and t.school_year = m.school_year
            """
        ).fetchone()
        repeaters = con.execute(
            """
            select count(*) from marts.dim_student_school_year a
            join marts.dim_student_school_year b
                on a.student_key = b.student_key and a.school_year = b.school_year + 1
            where a.grade_number = b.grade_number
            """
        ).fetchone()[0]
    # One row per SIS child and year enrolled, each with that year's grade, schools and programs.
    assert n_mart == n_truth == n_joined
    assert wrong == 0
    assert repeaters > 0, "the generated district has no student repeating a grade"


def test_chronic_absence_trend_matches_the_truth(years_district: District) -> None:
    truth = years_district.truth
    with years_district.warehouse() as con:
        rows = con.execute(
            f"""
            with groups as ({truth_groups(truth)}),
            -- Students whose attendance waits for review: the truth's chronic flag per scope.
            incomplete_school as (
                select d.local_id, s.school_id as school, f.school_year
                from marts.fct_student_attendance_school_year f
                join marts.dim_student d using (student_key)
                join marts.dim_school s using (school_key)
                where f.is_attendance_incomplete and f.meets_min_days_enrolled
            ),
            truth_days as (
                select sis_local_id, school, school_year, n_days_enrolled, n_days_absent
                from read_parquet('{truth}/student_attendance.parquet')
            ),
            waiting as (
                select i.school, i.school_year, t.n_days_enrolled as enrolled,
                       t.n_days_absent as absent, i.local_id
                from incomplete_school i
                join truth_days t on t.sis_local_id = i.local_id and t.school = i.school
                    and t.school_year = i.school_year
                union all
                select null, t.school_year, sum(t.n_days_enrolled), sum(t.n_days_absent),
                       t.sis_local_id
                from truth_days t
                where t.sis_local_id in (select local_id from incomplete_school)
                group by t.school_year, t.sis_local_id
                having sum(t.n_days_enrolled) >= {CHRONIC_MIN_DAYS}
            ),
            waiting_chronic as (
                select w.school, w.school_year, gr.subgroup, gr.subgroup_value,
                       count(*) filter (where w.absent >= {CHRONIC_THRESHOLD} * w.enrolled)
                           as n_chronic
                from waiting w
                join groups gr on gr.sis_local_id = w.local_id and gr.school_year = w.school_year
                group by all
            ),
            mart as (
                select c.school_year, s.school_id as school, {TRUTH_SUBGROUP} as subgroup,
                       {TRUTH_VALUE} as subgroup_value, c.is_suppressed, c.n_students,
                       c.n_students_awaiting_review, c.n_chronically_absent
                from marts.agg_chronic_absence_trend c
                left join marts.dim_school s on s.school_key = c.school_key
                left join {GRADES} on g.grade_level = c.subgroup_value
            )
            select t.school is null, m.is_suppressed, t.n_students,
                   m.n_students + m.n_students_awaiting_review,
                   t.n_chronically_absent, m.n_chronically_absent + coalesce(w.n_chronic, 0)
            from read_parquet('{truth}/trend_chronic_absence.parquet') t
            left join mart m
                on m.school_year = t.school_year and m.school is not distinct from t.school
                and m.subgroup = t.subgroup and m.subgroup_value = t.subgroup_value
            left join waiting_chronic w
                on w.school_year = t.school_year and w.school is not distinct from t.school
                and w.subgroup = t.subgroup and w.subgroup_value = t.subgroup_value
            """
        ).fetchall()
        n_mart = con.execute("select count(*) from marts.agg_chronic_absence_trend").fetchone()[0]
    # Every truth cell is in the mart and the mart has no other cell.
    assert all(r[1] is not None for r in rows) and n_mart == len(rows)
    shown = [r for r in rows if not r[1]]
    assert [r[2:] for r in shown] == [(r[2], r[2], r[4], r[4]) for r in shown]
    # Most cells are shown, district and school rows alike.
    assert len(shown) > 0.6 * len(rows)
    assert {r[0] for r in shown} == {True, False}


def test_chronic_absence_changes_are_between_consecutive_years(years_district: District) -> None:
    with years_district.warehouse() as con:
        wrong, n_changes = con.execute(
            """
            select
                count(*) filter (where abs(c.chronic_absence_change_points
                    - 100 * (c.chronic_absence_rate - p.chronic_absence_rate)) > 1e-9
                    or (c.chronic_absence_change_points is null) <> (p.chronic_absence_rate is null
                        or c.chronic_absence_rate is null)),
                count(c.chronic_absence_change_points)
            from marts.agg_chronic_absence_trend c
            left join marts.agg_chronic_absence_trend p
                on p.scope = c.scope and p.school_key is not distinct from c.school_key
                and p.subgroup = c.subgroup and p.subgroup_value = c.subgroup_value
                and p.school_year = c.school_year - 1
            """
        ).fetchone()
    assert wrong == 0 and n_changes > 0


def test_proficiency_gap_trend_matches_the_truth(years_district: District) -> None:
    truth = years_district.truth
    with years_district.warehouse() as con:
        rows = con.execute(
            f"""
            with groups as ({truth_groups(truth)}),
            -- Results of SIS children not linked (waiting for review): added back per cell.
            waiting_rows as (
                select a.school_year, sch.state_school_code as school_code,
                       subj.local_code as subject, a.is_proficient, r.true_student_id
                from intermediate.int_state_results_by_school a
                join marts.dim_school sch on sch.school_key = a.school_key
                join crosswalks.academic_subjects subj
                    on subj.source = 'state' and subj.academic_subject = a.academic_subject
                    and subj.local_code in ('ELA', 'MATH')
                join read_parquet('{truth}/records.parquet') r
                    on a._source_file = r.source_file and a._line_number = r.line_number
                join read_parquet('{truth}/students.parquet') s using (true_student_id)
                where not a.is_linked and a.is_tested and s.sis_local_id is not null
            ),
            waiting_scoped as (
                select school_year, school_code, subject, is_proficient, true_student_id
                from waiting_rows
                union all
                select school_year, null, subject, is_proficient, true_student_id
                from waiting_rows
            ),
            waiting as (
                select w.school_year, w.school_code, w.subject, gr.subgroup, gr.subgroup_value,
                       count(*) as n_tested, count(*) filter (where w.is_proficient) as n_prof
                from waiting_scoped w
                join groups gr using (true_student_id, school_year)
                group by all
            ),
            -- A group (year, scope, subject, subgroup) with any waiting result: its rest differs.
            waiting_groups as (
                select distinct school_year, school_code, subject, subgroup from waiting
            ),
            mart as (
                select c.school_year, sch.state_school_code as school_code,
                       subj.local_code as subject, {TRUTH_SUBGROUP} as subgroup,
                       {TRUTH_VALUE} as subgroup_value, c.is_suppressed, c.n_tested,
                       c.n_proficient, c.gap_points, c.rest_proficiency_rate
                from marts.agg_proficiency_gap_trend c
                left join marts.dim_school sch on sch.school_key = c.school_key
                join crosswalks.academic_subjects subj
                    on subj.source = 'state' and subj.academic_subject = c.academic_subject
                    and subj.local_code in ('ELA', 'MATH')
                left join {GRADES} on g.grade_level = c.subgroup_value
            )
            select t.school_code is null, m.is_suppressed, t.n_tested,
                   m.n_tested + coalesce(w.n_tested, 0), t.n_proficient,
                   m.n_proficient + coalesce(w.n_prof, 0),
                   wg.subgroup is null and m.rest_proficiency_rate is not null,
                   -100 * t.gap_to_others, m.gap_points
            from read_parquet('{truth}/trend_proficiency.parquet') t
            left join mart m
                on m.school_year = t.school_year
                and m.school_code is not distinct from t.school_code
                and m.subject = t.subject and m.subgroup = t.subgroup
                and m.subgroup_value = t.subgroup_value
            left join waiting w
                on w.school_year = t.school_year
                and w.school_code is not distinct from t.school_code
                and w.subject = t.subject and w.subgroup = t.subgroup
                and w.subgroup_value = t.subgroup_value
            left join waiting_groups wg
                on wg.school_year = t.school_year
                and wg.school_code is not distinct from t.school_code
                and wg.subject = t.subject and wg.subgroup = t.subgroup
            -- The student subgroups: all students and the grade tested count every result of
            -- the school, linked or not (test_roster_subgroups checks those against counts.json).
            where t.subgroup not in ('all', 'grade')
            """
        ).fetchall()
    assert all(r[1] is not None for r in rows), "a truth cell is missing from the mart"
    shown = [r for r in rows if not r[1]]
    assert [r[2:6] for r in shown] == [(r[2], r[2], r[4], r[4]) for r in shown]
    # The gap, in points, where no result of the subgroup's group waits for review.
    gaps = [r for r in shown if r[6]]
    assert all(abs(r[7] - r[8]) < 1e-9 for r in gaps)
    assert len(shown) > 0.6 * len(rows) and len(gaps) > 0.5 * len(shown)
    assert {r[0] for r in gaps} == {True, False}


def test_school_proficiency_rows_equal_agg_proficiency_by_school(years_district: District) -> None:
    with years_district.warehouse() as con:
        n_trend, n_agg, n_equal = con.execute(
            """
            select
                (select count(*) from marts.agg_proficiency_gap_trend where scope = 'school'),
                (select count(*) from marts.agg_proficiency_by_school),
                count(*)
            from marts.agg_proficiency_gap_trend t
            join marts.agg_proficiency_by_school a
                using (school_key, school_year, academic_subject, subgroup, subgroup_value)
            where t.scope = 'school' and t.is_suppressed = a.is_suppressed
                and t.n_tested is not distinct from a.n_tested
                and t.n_proficient is not distinct from a.n_proficient
                and t.proficiency_rate is not distinct from a.proficiency_rate
            """
        ).fetchone()
    assert n_trend == n_agg == n_equal > 0


def test_cohorts_match_the_truth(years_district: District) -> None:
    truth = years_district.truth
    with years_district.warehouse() as con:
        enrolled = con.execute(
            f"""
            with truth as (
                select distinct cohort_school_year, cohort_grade, school_year, n_in_cohort,
                       n_enrolled, n_on_grade
                from read_parquet('{truth}/trend_cohorts.parquet')
            )
            select c.is_suppressed, t.n_in_cohort, c.n_cohort_students, t.n_enrolled,
                   c.n_students, t.n_on_grade, c.n_at_expected_grade
            from truth t
            left join marts.agg_cohort_by_year c
                on c.cohort_year = t.cohort_school_year
                and c.cohort_grade_number = t.cohort_grade and c.school_year = t.school_year
            """
        ).fetchall()
        n_mart = con.execute("select count(*) from marts.agg_cohort_by_year").fetchone()[0]
        tested = con.execute(
            f"""
            with waiting as (
                select y.school_year as cohort_school_year, y.grade as cohort_grade,
                       a.school_year, subj.local_code as subject, count(*) as n_tested,
                       count(*) filter (where a.is_proficient) as n_prof
                from intermediate.int_state_results_by_school a
                join crosswalks.academic_subjects subj
                    on subj.source = 'state' and subj.academic_subject = a.academic_subject
                    and subj.local_code in ('ELA', 'MATH')
                join read_parquet('{truth}/records.parquet') r
                    on a._source_file = r.source_file and a._line_number = r.line_number
                join read_parquet('{truth}/student_years.parquet') y
                    on y.true_student_id = r.true_student_id and y.school_year <= a.school_year
                join read_parquet('{truth}/student_years.parquet') now
                    on now.true_student_id = r.true_student_id
                    and now.school_year = a.school_year
                where not a.is_linked and a.is_tested
                group by all
            )
            select c.is_suppressed, t.n_tested, c.n_tested + coalesce(w.n_tested, 0),
                   t.n_proficient, c.n_proficient + coalesce(w.n_prof, 0)
            from read_parquet('{truth}/trend_cohorts.parquet') t
            join crosswalks.academic_subjects subj
                on subj.source = 'state' and subj.local_code = t.subject
            left join marts.agg_cohort_proficiency_by_year c
                on c.cohort_year = t.cohort_school_year
                and c.cohort_grade_number = t.cohort_grade and c.school_year = t.school_year
                and c.academic_subject = subj.academic_subject
            left join waiting w
                on w.cohort_school_year = t.cohort_school_year
                and w.cohort_grade = t.cohort_grade and w.school_year = t.school_year
                and w.subject = t.subject
            where t.n_tested > 0
            """
        ).fetchall()
    assert all(r[0] is not None for r in enrolled) and n_mart == len(enrolled)
    shown = [r for r in enrolled if not r[0]]
    # The cohort's size, the same children enrolled later, and those at the expected grade.
    assert [r[1:] for r in shown] == [(r[1], r[1], r[3], r[3], r[5], r[5]) for r in shown]
    assert len(shown) > 0.8 * len(enrolled)
    assert any(r[5] < r[3] for r in shown), "no cohort has a student below the expected grade"
    assert all(r[0] is not None for r in tested), "a tested cohort cell is missing"
    shown_tested = [r for r in tested if not r[0]]
    assert [r[1:] for r in shown_tested] == [(r[1], r[1], r[3], r[3]) for r in shown_tested]
    assert len(shown_tested) > 0.6 * len(tested)


def test_map_fall_to_fall_growth_matches_the_truth(years_district: District) -> None:
    truth = years_district.truth
    with years_district.warehouse() as con:
        n_truth, n_joined, wrong, n_mart = con.execute(
            f"""
            with truth as (
                select s.sis_local_id, f.subject, f.school_year, f.prior_fall_rit, f.fall_rit,
                       f.growth
                from read_parquet('{truth}/map_fall_to_fall.parquet') f
                join read_parquet('{truth}/students.parquet') s using (true_student_id)
            ),
            mart as (
                select d.local_id, subj.local_code as subject, g.*
                from marts.fct_student_growth_across_years g
                join marts.dim_student d using (student_key)
                join crosswalks.academic_subjects subj
                    on subj.source = 'map' and subj.academic_subject = g.academic_subject
                where g.rit_change_fall_to_fall is not null
            )
            select (select count(*) from truth), count(*),
                   count(*) filter (where m.prior_fall_rit <> t.prior_fall_rit
                       or m.fall_rit <> t.fall_rit or m.rit_change_fall_to_fall <> t.growth),
                   (select count(*) from mart)
            from truth t
            join mart m
                on m.local_id = t.sis_local_id and m.subject = t.subject
                and m.school_year = t.school_year
            """
        ).fetchone()
    # Every fall-to-fall pair the pipeline has is the truth's, with the same RITs; pairs of a
    # child whose MAP record waits for review (a handful) are missing, never wrong.
    assert wrong == 0 and n_joined == n_mart
    assert n_truth - 10 <= n_joined <= n_truth


def test_prior_year_early_warning_reads_last_years_indicators(years_district: District) -> None:
    with years_district.warehouse() as con:
        wrong, n_prior, n_current, wrong_current = con.execute(
            """
            select
                count(*) filter (where w.prior_year_chronically_absent
                    is distinct from a.is_chronically_absent
                    or w.n_prior_year_flags
                        <> coalesce(cast(w.prior_year_chronically_absent as int), 0)
                        + coalesce(cast(w.prior_year_not_proficient as int), 0)),
                count(*) filter (where w.prior_year_chronically_absent is not null),
                (select count(*) from marts.rpt_early_warning),
                (select count(*) from marts.rpt_early_warning r
                 join marts.fct_student_early_warning_year e using (student_key, school_year)
                 where r.prior_year_chronically_absent
                     is distinct from e.prior_year_chronically_absent
                     or r.prior_year_not_proficient is distinct from e.prior_year_not_proficient)
            from marts.fct_student_early_warning_year w
            left join marts.fct_student_attendance_year a
                on a.student_key = w.student_key and a.school_year = w.school_year - 1
            """
        ).fetchone()
    assert wrong == 0 and n_prior > 0 and n_current > 0 and wrong_current == 0
