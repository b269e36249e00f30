"""Issue 16, points 2 and 3, on a generated district against the generator's truth.

- A student no attendance record is linked to (held in identity review) is "attendance
  incomplete": never shown as present, left out of rates, counted per school and listed for the
  steward. The generator plants such students with many absences (`attendance_review_trap`).
- Excused, unexcused and out-of-school suspension are reported apart and add up to all absences.

The truth (`truth/student_attendance.parquet`) holds every SIS child's days per school and year.
Which attendance records the pipeline links is the pipeline's: the students whose record it did
not link are found through the truth's record lineage (file and line → true child), and the marts
must show exactly those as incomplete and every other student exactly as the truth counts them.
"""

from __future__ import annotations

import pytest

from alerts.after_run import quarantine_counts, rule_failures
from alerts.compose import compose_domain_alert
from settings.district import Contact
from synthetic.truth import CHRONIC_MIN_DAYS, CHRONIC_THRESHOLD
from tests.conftest import District

pytestmark = pytest.mark.integration


def _truth_sql(district: District) -> str:
    """The truth's student-school-years, with whether the pipeline linked the child's record."""
    truth = district.truth
    return f"""
        with linked_children as (
            select distinct r.true_student_id
            from staging.stg_attendance__students a
            join intermediate.int_identity_matches m
                on m.source_system = 'attendance' and m.source_person_id = a.att_student_id
                and m.student_key is not null
            join read_parquet('{truth}/records.parquet') r
                on r.source_file = a._source_file and r.line_number = a._line_number
        )
        select t.*, l.true_student_id is null as expect_incomplete
        from read_parquet('{truth}/student_attendance.parquet') t
        left join linked_children l using (true_student_id)
    """


def _mart_sql() -> str:
    return """
        select d.local_id as sis_local_id, s.school_id as school, f.school_year,
               f.n_days_enrolled, f.n_days_present, f.n_days_absent, f.n_days_absent_excused,
               f.n_days_absent_unexcused, f.n_days_out_of_school_suspension,
               f.is_attendance_incomplete, f.is_chronically_absent
        from marts.fct_student_attendance_school_year f
        join marts.dim_student d using (student_key)
        join marts.dim_school s using (school_key)
    """


def test_every_student_school_year_matches_the_truth(district: District) -> None:
    with district.warehouse() as con:
        found = con.execute(
            f"""
                with truth as ({_truth_sql(district)}), mart as ({_mart_sql()})
                select
                    count(*) filter (where m.sis_local_id is null),
                    count(*) filter (where t.sis_local_id is null),
                    count(*) filter (where t.n_days_enrolled is distinct from m.n_days_enrolled),
                    count(*) filter (
                        where t.expect_incomplete is distinct from m.is_attendance_incomplete),
                    count(*) filter (
                        where not t.expect_incomplete and (
                            m.n_days_absent is distinct from t.n_days_absent
                            or m.n_days_absent_excused is distinct from t.n_days_absent_excused
                            or m.n_days_absent_unexcused is distinct from t.n_days_absent_unexcused
                            or m.n_days_out_of_school_suspension
                                is distinct from t.n_days_out_of_school_suspension
                            or m.n_days_present is distinct from t.n_days_enrolled - t.n_days_absent
                        )),
                    count(*) filter (
                        where t.expect_incomplete and (
                            m.n_days_present is not null or m.n_days_absent is not null
                            or m.is_chronically_absent is not null)),
                    count(*),
                    count(*) filter (where t.expect_incomplete)
                from truth t
                full join mart m using (sis_local_id, school, school_year)
                """
        ).fetchone()
    missing, extra, wrong_enrolled, wrong_flag, wrong_days, unknown_as_known, n, n_bad = found
    assert (missing, extra) == (0, 0)
    # Days enrolled come from the SIS: exact for every student, linked or not.
    assert wrong_enrolled == 0
    # Incomplete exactly where no attendance record of the child is linked.
    assert wrong_flag == 0
    # Every other student: absences of each kind exactly as the truth counts them.
    assert wrong_days == 0
    # An incomplete student's days are unknown, never 0 absences.
    assert unknown_as_known == 0
    assert 0 < n_bad < 0.05 * n


def test_students_held_in_review_with_absences_are_not_shown_present(district: District) -> None:
    """The planted trap: often-absent children whose record waits in identity review."""
    truth = district.truth
    assert district.counts["attendance"]["review_trap_students"] > 0
    with district.warehouse() as con:
        rows = con.execute(
            f"""
            select t.sis_local_id, t.n_days_absent, y.is_attendance_incomplete, y.n_days_absent,
                   y.attendance_rate, y.is_chronically_absent
            from read_parquet('{truth}/student_attendance.parquet') t
            join marts.dim_student d on d.local_id = t.sis_local_id
            join marts.fct_student_attendance_year y
                on y.student_key = d.student_key and y.school_year = t.school_year
            where t.attendance_review_trap
            """
        ).fetchall()
        in_review = con.execute(
            f"""
            select count(distinct r.true_student_id)
            from quarantine.identity_review q
            join staging.stg_attendance__students a on a.att_student_id = q.source_person_id
            join read_parquet('{truth}/records.parquet') r
                on r.source_file = a._source_file and r.line_number = a._line_number
            join read_parquet('{truth}/students.parquet') s using (true_student_id)
            where q.source_system = 'attendance' and q.match_status = 'review'
                and s.attendance_review_trap
            """
        ).fetchone()[0]
    assert len(rows) == district.counts["attendance"]["review_trap_students"]
    assert in_review == len(rows)
    for _, true_absent, incomplete, absent, rate, chronic in rows:
        assert true_absent >= 10  # the trap: many true absences
        assert incomplete and absent is None and rate is None and chronic is None


def test_school_rows_count_students_awaiting_review_and_split_absences(
    district: District,
) -> None:
    with district.warehouse() as con:
        rows = con.execute(
            f"""
            with truth as ({_truth_sql(district)}),
            per_school as (
                select school, school_year,
                    count(*) filter (where not expect_incomplete) as n_students,
                    count(*) filter (where expect_incomplete) as n_awaiting,
                    count(*) filter (where not expect_incomplete
                        and n_days_absent >= {CHRONIC_THRESHOLD} * n_days_enrolled)
                        as n_chronic,
                    sum(n_days_enrolled) filter (where not expect_incomplete) as enrolled,
                    sum(n_days_absent) filter (where not expect_incomplete) as absent,
                    sum(n_days_absent_excused) filter (where not expect_incomplete) as excused,
                    sum(n_days_absent_unexcused) filter (where not expect_incomplete) as unexcused,
                    sum(n_days_out_of_school_suspension) filter (where not expect_incomplete)
                        as suspension
                from truth where n_days_enrolled >= {CHRONIC_MIN_DAYS}
                group by 1, 2
            )
            select p.school, p.school_year, a.is_suppressed,
                   a.n_students, a.n_students_awaiting_review, a.n_chronically_absent,
                   a.n_days_enrolled, a.n_days_absent, a.n_days_absent_excused,
                   a.n_days_absent_unexcused, a.n_days_out_of_school_suspension,
                   a.attendance_rate,
                   p.n_students, p.n_awaiting, p.n_chronic, p.enrolled, p.absent, p.excused,
                   p.unexcused, p.suspension,
                   r.n_students_awaiting_review, r.n_days_out_of_school_suspension
            from per_school p
            join marts.dim_school s on s.school_id = p.school
            left join marts.agg_attendance_by_school a
                on a.school_key = s.school_key and a.school_year = p.school_year
                and a.subgroup = 'all_students'
            left join marts.rpt_attendance_by_school r
                on r.school_id = p.school and r.school_year = p.school_year
                and r.subgroup = 'all_students'
            """
        ).fetchall()
    assert rows
    total_awaiting = 0
    for row in rows:
        school, year, suppressed = row[:3]
        mart, expected, report = row[3:12], row[12:20], row[20:]
        assert not suppressed, (school, year)
        n_students, awaiting, chronic, enrolled, absent, excused, unexcused, suspension, rate = mart
        assert (n_students, awaiting, chronic, enrolled) == expected[:4], (school, year)
        assert (absent, excused, unexcused, suspension) == expected[4:], (school, year)
        # The three kinds add up to all absences, and the rate leaves the unknown days out.
        assert excused + unexcused + suspension == absent
        assert rate == pytest.approx((enrolled - absent) / enrolled)
        assert report == (awaiting, suspension)
        total_awaiting += awaiting
    assert total_awaiting > 0
    assert sum(r[12 + 7] for r in rows) > 0, "the generated district has no suspension"


def test_the_steward_list_and_email_count_them_and_name_no_student(district: District) -> None:
    with district.warehouse() as con:
        listed, flagged_school_years, flagged = con.execute(
            """
            select (select count(*) from quarantine.attendance_incomplete),
                   (select count(*) from marts.fct_student_attendance_school_year
                    where is_attendance_incomplete),
                   (select count(*) from marts.fct_student_attendance_year
                    where is_attendance_incomplete)
            """
        ).fetchone()
        columns = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'quarantine' and table_name = 'attendance_incomplete'"
            ).fetchall()
        }
        local_ids = [
            r[0]
            for r in con.execute("select local_id from quarantine.attendance_incomplete").fetchall()
        ]
    assert listed == flagged_school_years >= flagged > 0
    assert not columns & {"first_name", "last_name", "middle_name", "birth_date"}

    run_id = district.scalar(
        "select run_id from audit.quality_results order by checked_at desc limit 1"
    )
    failures = rule_failures(district.home, run_id)
    [warning] = [f for f in failures if f.check_name.endswith("attendance_awaiting_review")]
    assert (warning.domain, warning.severity, warning.unexpected_count) == (
        "attendance",
        "warning",
        flagged,
    )
    email = compose_domain_alert(
        "attendance",
        failures,
        quarantine_counts(district.home),
        run_id=run_id,
        recipients=[Contact(name="Attendance steward", email="attendance@example.org")],
        forbidden=local_ids,
    )
    body = email.get_content()
    assert "attendance_awaiting_review" in body and f"Rows affected: {flagged:,}" in body
    assert "quarantine.attendance_incomplete" in body
    assert not any(local_id in body for local_id in local_ids)
