"""The inquiry marts (chronic absence, attendance and proficiency by school, MAP growth, early
warning) on a generated district, checked against the generator's ground truth or, where the
truth has no figure (growth, early warning), against invariants of the marts.

The truth counts every valid record of a child the SIS knows, including the few whose identity
the pipeline leaves in quarantine.identity_review (probable matches, transposed IDs, twins). Those
records are in no fact until a steward links them, so, as in test_consolidated_load, a mart's
figure plus the records waiting for review must reproduce the truth exactly.
"""

from __future__ import annotations

import pytest

from synthetic.truth import CHRONIC_MIN_DAYS, CHRONIC_THRESHOLD
from tests.conftest import District

pytestmark = pytest.mark.integration


def _waiting_absences_sql(district: District) -> str:
    """Absent days per SIS student and year that sit in quarantine waiting for identity review."""
    truth = district.truth
    return f"""
        select d.student_key, cal.school_year, count(distinct e.attendance_date) as n_days
        from intermediate.int_attendance_events e
        join read_parquet('{truth}/records.parquet') r
            on e._source_file = r.source_file and e._line_number = r.line_number
        join read_parquet('{truth}/students.parquet') s on r.true_student_id = s.true_student_id
        join marts.dim_student d on d.local_id = s.sis_local_id
        join marts.dim_school sch on sch.school_id = e.school_id
        join marts.dim_calendar cal
            on cal.school_key = sch.school_key and cal.calendar_date = e.attendance_date
        where e._conform_reason like 'student not linked%' and e.is_absent
        group by 1, 2
    """


def test_the_truth_uses_the_marts_default_settings() -> None:
    # The marts read var('chronic_absence_threshold', 0.10) and var('chronic_absence_min_days', 10).
    assert (CHRONIC_THRESHOLD, CHRONIC_MIN_DAYS) == (0.10, 10)


def test_chronic_absence_per_year_matches_the_truth(district: District) -> None:
    expected = district.counts["attendance"]["chronic_absent_students"]
    with_min_days = district.counts["attendance"]["students_with_10plus_days"]
    with district.warehouse() as con:
        rows = con.execute(
            f"""
            with waiting as ({_waiting_absences_sql(district)})
            select
                cast(y.school_year as varchar),
                count(*) filter (where y.meets_min_days_enrolled),
                count(*) filter (where y.is_chronically_absent),
                count(*) filter (
                    where y.is_chronically_absent is distinct from (
                        y.n_days_enrolled >= {CHRONIC_MIN_DAYS}
                        and y.n_days_absent >= {CHRONIC_THRESHOLD} * y.n_days_enrolled
                    )
                ),
                count(*) filter (
                    where y.n_days_enrolled >= {CHRONIC_MIN_DAYS}
                    and y.n_days_absent + coalesce(w.n_days, 0)
                        >= {CHRONIC_THRESHOLD} * y.n_days_enrolled
                ),
                count(w.student_key)
            from marts.fct_student_attendance_year y
            left join waiting w using (student_key, school_year)
            group by 1
            """
        ).fetchall()
    assert {r[0] for r in rows} == set(expected)
    for year, n_min_days, chronic, wrong_flags, chronic_with_waiting, n_waiting in rows:
        # The mart's flag applies the rule the truth uses to the mart's own days.
        assert wrong_flags == 0, year
        # Enrolled days do not depend on identity linking: exact.
        assert n_min_days == with_min_days[year], year
        # Chronic absentees: exact once the absences waiting for review are counted.
        assert chronic_with_waiting == expected[year], year
        # Without them the mart can only be short, by at most the students who have some.
        assert expected[year] - n_waiting <= chronic <= expected[year], year


def test_a_transfer_is_counted_once_for_the_district_and_per_school(district: District) -> None:
    with district.warehouse() as con:
        mismatched, transfers, students_days, fact_days = con.execute(
            """
            with per_school as (
                select student_key, school_year, count(*) as n_schools,
                       sum(n_days_enrolled) as n_days_enrolled, sum(n_days_absent) as n_days_absent
                from marts.fct_student_attendance_school_year group by 1, 2
            )
            select
                count(*) filter (
                    where y.n_schools <> p.n_schools or y.n_days_enrolled <> p.n_days_enrolled
                    or y.n_days_absent <> p.n_days_absent
                    or y.n_days_present + y.n_days_absent <> y.n_days_enrolled
                ),
                count(*) filter (where y.n_schools > 1),
                sum(y.n_days_enrolled),
                (select count(*) from marts.fct_attendance_daily)
            from marts.fct_student_attendance_year y
            join per_school p using (student_key, school_year)
            """
        ).fetchone()
    assert mismatched == 0
    assert transfers > 0, "the generated district has no mid-year transfer"
    assert students_days == fact_days


def test_school_attendance_rows_add_up_and_small_cells_are_hidden(district: District) -> None:
    with district.warehouse() as con:
        wrong_totals = con.execute(
            """
            select count(*) from marts.agg_attendance_by_school a
            join (
                select school_key, school_year, count(*) as n,
                       count(*) filter (where is_chronically_absent) as n_chronic
                from marts.fct_student_attendance_school_year
                where meets_min_days_enrolled group by 1, 2
            ) f using (school_key, school_year)
            where a.subgroup = 'all_students'
                and (a.n_students <> f.n or a.n_chronically_absent <> f.n_chronic)
            """
        ).fetchone()[0]
        shown_small, lone_suppressed, suppressed = con.execute(
            """
            select
                count(*) filter (where not is_suppressed and n_students < 10),
                (select count(*) from (
                    select school_key, school_year, subgroup
                    from marts.agg_attendance_by_school
                    group by all
                    having count(*) > 1 and count(*) filter (where is_suppressed) = 1)),
                count(*) filter (where is_suppressed and attendance_rate is null)
            from marts.agg_attendance_by_school
            """
        ).fetchone()
    assert wrong_totals == 0
    assert shown_small == 0 and lone_suppressed == 0
    assert suppressed > 0, "the generated district has no small cell"


def test_state_proficiency_per_school_and_subject_matches_the_truth(district: District) -> None:
    # A school's counts include every result the file attributes to it, linked to a SIS student
    # or not (issue 16): the mart equals the truth, with no result waiting for review to add.
    expected = {
        (r["school_year"], r["school_code"], r["subject"]): (r["n_tested"], r["n_proficient"])
        for r in district.counts["assessment"]["state_proficient_by_school_subject"]
    }
    with district.warehouse() as con:
        rows = con.execute(
            """
            select p.school_year, sch.state_school_code, subj.local_code, p.is_suppressed,
                   p.n_tested, p.n_proficient
            from marts.agg_proficiency_by_school p
            join marts.dim_school sch using (school_key)
            join crosswalks.academic_subjects subj
                on subj.source = 'state' and subj.academic_subject = p.academic_subject
                -- the truth names subjects as the generator does, whatever the file's codes
                and subj.local_code in ('ELA', 'MATH')
            where p.subgroup = 'all_students'
            """
        ).fetchall()
    actual = {(r[0], r[1], r[2]): r[3:] for r in rows}
    assert set(actual) == set(expected)
    for key, (n_tested, n_proficient) in expected.items():
        suppressed, mart_tested, mart_proficient = actual[key]
        assert not suppressed, key
        assert (mart_tested, mart_proficient) == (n_tested, n_proficient), key


def test_growth_rows_come_from_the_map_results_in_each_window(district: District) -> None:
    with district.warehouse() as con:
        n_keys, n_growth, wrong_windows, wrong_changes, n_fall_to_spring = con.execute(
            """
            with map as (
                select student_key, school_year, academic_subject,
                    max(scale_score) filter (where term_order = 1) as fall_rit,
                    max(scale_score) filter (where term_order = 2) as winter_rit,
                    max(scale_score) filter (where term_order = 3) as spring_rit
                from marts.fct_assessment_result where assessment = 'map' group by 1, 2, 3
            )
            select
                (select count(*) from map),
                count(g.student_key),
                count(*) filter (
                    where g.fall_rit is distinct from m.fall_rit
                    or g.winter_rit is distinct from m.winter_rit
                    or g.spring_rit is distinct from m.spring_rit
                ),
                count(*) filter (
                    where g.rit_change_fall_to_spring is distinct from m.spring_rit - m.fall_rit
                    or g.rit_change_fall_to_winter is distinct from m.winter_rit - m.fall_rit
                    or g.rit_change_winter_to_spring is distinct from m.spring_rit - m.winter_rit
                ),
                count(g.rit_change_fall_to_spring)
            from map m
            left join marts.fct_student_growth g using (student_key, school_year, academic_subject)
            """
        ).fetchone()
    # The generated district has one MAP test per student, subject and window.
    assert n_growth == n_keys > 0
    assert wrong_windows == 0 and wrong_changes == 0
    # Some students miss a window, most take both fall and spring.
    assert 0.5 * n_keys < n_fall_to_spring < n_keys


def test_growth_aggregates_count_the_students_with_both_windows(district: District) -> None:
    with district.warehouse() as con:
        rows = con.execute(
            """
            with tested_twice as (
                select * from marts.fct_student_growth where rit_change_fall_to_spring is not null
            ),
            per_section as (
                select section_key, school_year, academic_subject, count(*) as n,
                       avg(rit_change_fall_to_spring) as mean_change
                from tested_twice group by 1, 2, 3
            ),
            per_teacher as (
                -- per teacher and the school the students were counted at (their section's)
                select t.teacher_key, s.school_key, t.school_year, t.academic_subject,
                       count(*) as n
                from tested_twice t join marts.dim_section s using (section_key)
                where t.teacher_key is not null group by 1, 2, 3, 4
            ),
            per_grade as (
                select school_key, school_year, academic_subject, grade_level, count(*) as n
                from tested_twice group by 1, 2, 3, 4
            )
            select 'section', count(*), count(a.section_key),
                count(*) filter (where not a.is_suppressed and (a.n_students <> p.n
                    or abs(a.mean_rit_change_fall_to_spring - p.mean_change) > 1e-9)),
                count(*) filter (where not a.is_suppressed and a.n_students < 10),
                (select count(*) from tested_twice where section_key is not null),
                sum(p.n)
            from per_section p
            left join marts.agg_growth_by_section a
                using (section_key, school_year, academic_subject)
            union all
            select 'teacher', count(*), count(a.teacher_key),
                count(*) filter (where not a.is_suppressed and a.n_students <> p.n),
                count(*) filter (where not a.is_suppressed and a.n_students < 10),
                (select count(*) from tested_twice where teacher_key is not null),
                sum(p.n)
            from per_teacher p
            left join marts.agg_growth_by_teacher a
                using (teacher_key, school_key, school_year, academic_subject)
            union all
            select 'school_grade', count(*), count(a.school_key),
                count(*) filter (where not a.is_suppressed and a.n_students <> p.n),
                count(*) filter (where not a.is_suppressed and a.n_students < 10),
                (select count(*) from tested_twice),
                sum(p.n)
            from per_grade p
            left join marts.agg_growth_by_school_grade a
                using (school_key, school_year, academic_subject, grade_level)
            """
        ).fetchall()
        not_in_class = con.execute(
            """
            select count(*) from marts.fct_student_growth g
            where g.section_key is not null and not exists (
                select 1 from marts.fct_section_enrollment e
                where e.student_key = g.student_key and e.section_key = g.section_key
                    and e.school_year = g.school_year and e.academic_subject = g.academic_subject
            )
            """
        ).fetchone()[0]
    for name, n_cells, n_matched, wrong, shown_small, n_students, n_counted in rows:
        assert n_cells > 0 and n_matched == n_cells, name
        assert wrong == 0 and shown_small == 0, name
        # Every student with both windows is in exactly one cell of each aggregate.
        assert n_counted == n_students, name
    # The class of record is a section of the same subject the student is enrolled in.
    assert not_in_class == 0


def test_early_warning_lists_current_students_with_consistent_tiers(district: District) -> None:
    with district.warehouse() as con:
        n_rows, n_current, not_a_student, wrong_flags, wrong_tiers, wrong_chronic = con.execute(
            """
            with last_days as (
                select school_key, school_year, max(calendar_date) as last_day
                from marts.dim_calendar
                where is_instructional
                    and school_year = (select max(school_year) from marts.dim_calendar)
                group by 1, 2
            ),
            current_students as (
                select distinct e.student_key
                from marts.fct_enrollment e
                join last_days d using (school_key, school_year)
                where e.entry_date <= d.last_day and coalesce(e.exit_date, d.last_day) >= d.last_day
            )
            select
                count(*),
                (select count(*) from current_students),
                count(*) filter (where s.student_key is null or c.student_key is null),
                count(*) filter (where w.n_flags <> cast(w.is_chronically_absent as int)
                    + cast(w.not_proficient_latest_state_test as int)
                    + cast(w.falling_benchmark_percentile as int)),
                count(*) filter (where w.risk_tier <> case when w.n_flags >= 2 then 'high'
                    when w.n_flags = 1 then 'moderate' else 'low' end),
                count(*) filter (
                    where w.is_chronically_absent <> coalesce(y.is_chronically_absent, false)
                )
            from marts.rpt_early_warning w
            left join marts.dim_student s using (student_key)
            left join current_students c using (student_key)
            left join marts.fct_student_attendance_year y using (student_key, school_year)
            """
        ).fetchone()
        tiers = dict(
            con.execute(
                "select risk_tier, count(*) from marts.rpt_early_warning group by 1"
            ).fetchall()
        )
    assert n_rows == n_current > 0
    assert not_a_student == 0 and wrong_flags == 0 and wrong_tiers == 0 and wrong_chronic == 0
    # The generated district has students in every tier.
    assert set(tiers) == {"high", "moderate", "low"}


def test_early_warning_flags_follow_the_latest_results(district: District) -> None:
    with district.warehouse() as con:
        wrong_state, wrong_benchmark, n_state, n_benchmark = con.execute(
            """
            with latest_state as (
                select student_key, bool_or(not is_proficient) as not_proficient
                from (
                    select student_key, is_proficient, row_number() over (
                        partition by student_key, academic_subject
                        order by school_year desc, test_date desc) as n
                    from marts.fct_assessment_result where assessment = 'state'
                )
                where n = 1 group by 1
            ),
            latest_map as (
                select student_key, bool_or(
                    coalesce(fall_percentile, winter_percentile)
                        - coalesce(spring_percentile, winter_percentile) >= 10
                ) as falling
                from (
                    select *, row_number() over (
                        partition by student_key, academic_subject order by school_year desc) as n
                    from marts.fct_student_growth
                )
                where n = 1 group by 1
            )
            select
                count(*) filter (where w.not_proficient_latest_state_test
                    is distinct from coalesce(s.not_proficient, false)),
                count(*) filter (where w.falling_benchmark_percentile
                    is distinct from coalesce(m.falling, false)),
                count(*) filter (where w.not_proficient_latest_state_test),
                count(*) filter (where w.falling_benchmark_percentile)
            from marts.rpt_early_warning w
            left join latest_state s using (student_key)
            left join latest_map m using (student_key)
            """
        ).fetchone()
    assert wrong_state == 0 and wrong_benchmark == 0
    assert n_state > 0 and n_benchmark > 0


def test_goal_progress_follows_the_example_goals(district: District) -> None:
    # The fixture's load reads district.example.yaml (no district.yaml in its data folder).
    with district.warehouse() as con:
        rows = con.execute(
            """
            select goal_name, scope, school_year, metric_value, target_line_value, is_on_track,
                metric, baseline_value, target_value, baseline_year, target_year,
                case
                    when scope = 'district' then (
                        select count(*) filter (where is_chronically_absent) / count(*)
                        from marts.fct_student_attendance_year y
                        where y.meets_min_days_enrolled and y.school_year = g.school_year
                    )
                    else (
                        select p.proficiency_rate from marts.agg_proficiency_by_school p
                        join marts.dim_school s using (school_key)
                        where s.school_id = g.scope and p.school_year = g.school_year
                            and p.academic_subject = 'Mathematics'
                            and p.subgroup_value = 'Low income'
                    )
                end as expected_value
            from marts.fct_goal_progress g
            """
        ).fetchall()
    assert {(r[0], r[2]) for r in rows} == {
        ("Cut chronic absence district-wide", 2026),
        ("Low-income students' math proficiency at Lincoln Elementary", 2026),
    }
    for name, _, year, value, line, on_track, metric, base, target, y0, y1, expected in rows:
        assert value == pytest.approx(expected), name
        assert line == pytest.approx(base + (target - base) * (year - y0) / (y1 - y0)), name
        better = value <= line if metric == "chronic_absence_rate" else value >= line
        assert on_track == better, name
