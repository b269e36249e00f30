"""The monthly attendance mart adds up to the daily fact, month by month and school by school;
students whose attendance is incomplete (no linked attendance record) are counted apart."""

from __future__ import annotations

import pytest

from tests.conftest import District

pytestmark = pytest.mark.integration


def test_monthly_all_students_rows_add_up_to_the_daily_fact(district: District) -> None:
    with district.warehouse() as con:
        mismatches = con.execute(
            """
            with daily as (
                select school_key, cast(date_trunc('month', calendar_date) as date) as month,
                    count(*) filter (where is_present is not null) as enrolled,
                    count(*) filter (where is_present) as present,
                    count(distinct student_key) filter (where is_present is not null) as students,
                    count(distinct student_key) filter (where is_present is null) as awaiting
                from marts.fct_attendance_daily group by 1, 2
            )
            select count(*) from daily
            full join (select * from marts.agg_attendance_by_month
                       where subgroup = 'all_students') as m
                on daily.school_key = m.school_key and daily.month = m.calendar_month
            where m.is_suppressed or daily.enrolled is distinct from m.n_days_enrolled
                or daily.present is distinct from m.n_days_present
                or daily.students is distinct from m.n_students
                or daily.awaiting is distinct from m.n_students_awaiting_review
            """
        ).fetchone()[0]
        subgroups = con.execute(
            "select count(distinct subgroup) from marts.agg_attendance_by_month"
        ).fetchone()[0]
    assert mismatches == 0
    assert subgroups == 7  # all students and the six subgroup kinds
