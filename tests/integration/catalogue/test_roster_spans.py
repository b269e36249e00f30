"""Roster cases of the fault catalogue: school enrollment spans where the roster has no school
enrollment record (issue 16, point 1).

OneRoster has no school-level enrollment and secondary schedules have no homerooms, so a
student's span at a school comes from their homeroom, else a dated OneRoster 1.2 student role,
else the union of their class enrollments there, split where they are in no class for more than
`enrollment_gap_school_days` school days. Each test lands an export in the OneRoster fixtures'
headers (tests/fixtures/layouts/oneroster_1_1, oneroster_1_2; invented people) with a SIS
calendar, builds the SIS models with dbt and reads the warehouse; the blocking rule runs in GX
and its email to the SIS steward is composed.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from alerts.after_run import rule_failures
from alerts.compose import compose_domain_alert
from connectors.home import Home
from expectations.history import write_history
from expectations.runner import run_suite
from expectations.suites import suite_named
from expectations.suites.marts_enrollment import ATTENDANCE_OUTSIDE_SPANS, STUDENTS_WITHOUT_SPAN
from settings.district import Contact
from synthetic.truth import CHRONIC_MIN_DAYS, CHRONIC_THRESHOLD
from tests.conftest import District
from tests.integration import test_oneroster
from tests.integration.test_oneroster import FIXTURES, build, deliver, land, rows

pytestmark = pytest.mark.integration

SELECT = "+fct_enrollment +int_students_without_span +int_identity_matches +quarantine_sis"
FIRST_DAY, LAST_DAY = date(2026, 8, 24), date(2027, 6, 15)
# Winter break: three weeks of weekdays that are no school days (15 weekdays > 10).
BREAK = (date(2026, 12, 14), date(2027, 1, 1))
ENROLLMENTS_HEADER = (
    "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
    "primary,beginDate,endDate"
)
TS = "2026-11-30T22:15:04.120Z"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(tmp_path))
    monkeypatch.setattr(test_oneroster, "SELECT", SELECT)
    return Home(tmp_path).ensure()


def _write(home: Home, relative: str, lines: list[str]) -> None:
    path = home.landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _calendar(home: Home, schools: list[str]) -> int:
    """The SIS calendar extract: every weekday of the year, instructional but the winter break;
    returns the instructional days per school."""
    lines, n = ["schoolSourcedId,date,dayType"], 0
    day = FIRST_DAY
    while day <= LAST_DAY:
        if day.weekday() < 5:
            kind = "holiday" if BREAK[0] <= day <= BREAK[1] else "instructional"
            n += kind == "instructional"
            lines += [f"{school},{day},{kind}" for school in schools]
        day += timedelta(days=1)
    _write(home, "sis/calendar/calendar.csv", lines)
    return n


def _school_days(start: date, end: date) -> int:
    """Instructional days of the test calendar from start to end, inclusive."""
    n, day = 0, start
    while day <= end:
        n += day.weekday() < 5 and not (BREAK[0] <= day <= BREAK[1])
        day += timedelta(days=1)
    return n


def _enrollments(home: Home, records: list[tuple[str, str, str, str, str]]) -> None:
    """enrollments.csv of the 1.1 export replaced by these (id, class, user, begin, end) student
    rows and its teacher's row, at Cedar Ridge Middle (no homerooms) or Birch Hill (homeroom)."""
    school = {"cls-hr-k-a": "org-s-101"}
    lines = [ENROLLMENTS_HEADER]
    lines += [
        f"{e},active,{TS},{c},{school.get(c, 'org-s-201')},{u},student,false,{b},{x}"
        for e, c, u, b, x in records
    ]
    lines.append(f"enr-t,active,{TS},cls-math7-01,org-s-201,usr-t-80001,teacher,true,{FIRST_DAY},")
    _write(home, "sis/export/enrollments.csv", lines)


def _spans(home: Home) -> list[tuple]:
    return rows(
        home,
        "select local_id, school_id, span_source, entry_date, exit_date "
        "from intermediate.int_enrollment_spans order by 1, 4",
    )


def test_a_school_without_homerooms_takes_spans_from_class_enrollments(home: Home) -> None:
    """Case 16.1a secondary school without homerooms: Cedar Ridge Middle's students have only
    course sections (a full-year math and a first-semester science class); their span is the
    union of their classes, first begin to last end, and their days are counted. Birch Hill's
    kindergartner keeps the homeroom span (open end: the end of the school year)."""
    deliver(home, "oneroster_1_1")
    _calendar(home, ["org-s-101", "org-s-201"])
    land(home)
    build(home)
    assert _spans(home) == [
        ("usr-s-50001", "org-s-201", "classes", FIRST_DAY, LAST_DAY),
        ("usr-s-50002", "org-s-201", "classes", FIRST_DAY, LAST_DAY),
        ("usr-s-50003", "org-s-101", "homeroom", FIRST_DAY, LAST_DAY),
    ]
    days = rows(
        home,
        "select s.local_id, f.instructional_days_enrolled from marts.fct_enrollment f "
        "join intermediate.int_sis_students s using (student_key) order by 1",
    )
    year = _school_days(FIRST_DAY, LAST_DAY)
    assert days == [("usr-s-50001", year), ("usr-s-50002", year), ("usr-s-50003", year)]
    assert rows(home, "select count(*) from intermediate.int_students_without_span") == [(0,)]


def test_a_gap_longer_than_the_setting_in_school_days_splits_the_span(home: Home) -> None:
    """Case 16.1b withdraw and re-enter: a student in no class for 20 school days has two spans;
    one whose classes pause over a three-week winter break (15 weekdays, no school day) has one.
    The gap is counted in the school's instructional days, and the threshold is the setting
    `enrollment_gap_school_days` (default 10): at 25 the 20-day gap no longer splits."""
    deliver(home, "oneroster_1_1")
    _calendar(home, ["org-s-101", "org-s-201"])
    left, back = date(2026, 10, 9), date(2026, 11, 9)  # Fri; Mon four weeks later: 20 days
    before_break, after_break = date(2026, 12, 11), date(2027, 1, 4)
    _enrollments(
        home,
        [
            ("enr-1", "cls-math7-01", "usr-s-50001", f"{FIRST_DAY}", f"{before_break}"),
            ("enr-1b", "cls-math7-01", "usr-s-50001", f"{after_break}", f"{LAST_DAY}"),
            ("enr-4", "cls-sci7-03", "usr-s-50001", f"{FIRST_DAY}", f"{before_break}"),
            ("enr-2", "cls-math7-01", "usr-s-50002", f"{FIRST_DAY}", f"{left}"),
            ("enr-2b", "cls-math7-01", "usr-s-50002", f"{back}", ""),
            ("enr-5", "cls-hr-k-a", "usr-s-50003", f"{FIRST_DAY}", ""),
        ],
    )
    assert _school_days(left + timedelta(days=1), back - timedelta(days=1)) == 20
    assert _school_days(before_break + timedelta(days=1), after_break - timedelta(days=1)) == 0
    land(home)
    build(home)
    assert _spans(home) == [
        ("usr-s-50001", "org-s-201", "classes", FIRST_DAY, LAST_DAY),
        ("usr-s-50002", "org-s-201", "classes", FIRST_DAY, left),
        ("usr-s-50002", "org-s-201", "classes", back, LAST_DAY),
        ("usr-s-50003", "org-s-101", "homeroom", FIRST_DAY, LAST_DAY),
    ]
    enrolled = rows(
        home,
        "select sum(f.instructional_days_enrolled) from marts.fct_enrollment f "
        "join intermediate.int_sis_students s using (student_key) where s.local_id = 'usr-s-50002'",
    )
    assert enrolled == [(_school_days(FIRST_DAY, LAST_DAY) - 20,)]

    build(home, enrollment_gap_school_days="25")
    assert [s for s in _spans(home) if s[0] == "usr-s-50002"] == [
        ("usr-s-50002", "org-s-201", "classes", FIRST_DAY, LAST_DAY)
    ]


def test_a_dated_1_2_student_role_is_the_school_enrollment_where_there_is_no_homeroom(
    home: Home,
) -> None:
    """Case 16.1c OneRoster 1.2 roles: a student role at a school with a beginDate is a school
    enrollment record; it gives the span of a student with no homeroom there (Sorrel Middle's
    fifth student, in one first-semester class). Students with a homeroom keep its span (the
    fourth student's homeroom ends in November)."""
    deliver(home, "oneroster_1_2")
    elementary = "5d1c0f7e-0000-4000-8000-000000000101"
    middle = "5d1c0f7e-0000-4000-8000-000000000201"
    _calendar(home, [elementary, middle])
    land(home)
    build(home, sis_local_id="userIds:district", sis_state_id="userIds:state")
    assert _spans(home) == [
        ("310001", elementary, "homeroom", FIRST_DAY, LAST_DAY),
        ("310002", middle, "homeroom", FIRST_DAY, LAST_DAY),
        ("310003", middle, "homeroom", FIRST_DAY, LAST_DAY),
        ("310004", middle, "homeroom", FIRST_DAY, date(2026, 11, 20)),
        ("310005", middle, "role", FIRST_DAY, LAST_DAY),
    ]


def test_a_current_student_without_a_span_is_named_by_a_blocking_rule(home: Home) -> None:
    """Case 16.1d current student without an enrollment: an active student of Cedar Ridge Middle
    with no homeroom, role or class enrollment. The blocking rule students_without_enrollment_span
    fails and the SIS steward's email names the school (ID and name) with the count, never the
    student."""
    deliver(home, "oneroster_1_1")
    _calendar(home, ["org-s-101", "org-s-201"])
    users = (FIXTURES / "oneroster_1_1" / "users.csv").read_text(encoding="utf-8").splitlines()
    users.append(
        f"usr-s-50005,active,{TS},true,org-s-201,student,zzu50005,{{SIS:50005}},Ilse,Marrowby,,"
        "50005,,,,,08,"
    )
    _write(home, "sis/export/users.csv", users)
    land(home)
    build(home)
    assert rows(home, "select * from intermediate.int_students_without_span") == [
        ("org-s-201", "Cedar Ridge Middle (fictional)", 1)
    ]
    result = run_suite(suite_named("int_students_without_span"), home.warehouse, run_id="t")
    [outcome] = result.outcomes
    assert outcome.name.endswith(STUDENTS_WITHOUT_SPAN)
    assert not outcome.success and outcome.blocking and result.blocked
    assert outcome.unexpected_count == 1
    assert outcome.named == "org-s-201 Cedar Ridge Middle (fictional)"
    write_history(home.raw / "_quality", "t", [result])
    [failure] = rule_failures(home, "t")
    email = compose_domain_alert(
        "sis",
        [failure],
        [],
        run_id="t",
        recipients=[Contact(name="SIS steward", email="sis.steward@example.org")],
    )
    body = email.get_content()
    assert STUDENTS_WITHOUT_SPAN in body
    assert "Named: org-s-201 Cedar Ridge Middle (fictional)." in body
    assert "50005" not in body and "Marrowby" not in body

    # Enrolled in a class, the student has a span and the rule passes.
    fixture = FIXTURES / "oneroster_1_1" / "enrollments.csv"
    enrollments = fixture.read_text(encoding="utf-8").splitlines()
    enrollments.append(
        f"enr-9,active,{TS},cls-math7-01,org-s-201,usr-s-50005,student,false,2026-09-14,"
    )
    _write(home, "sis/export/enrollments.csv", enrollments)
    land(home)
    build(home)
    assert rows(home, "select count(*) from intermediate.int_students_without_span") == [(0,)]
    assert run_suite(suite_named("int_students_without_span"), home.warehouse, run_id="u").success


def test_the_generated_district_counts_secondary_students_per_school_as_the_truth(
    district: District,
) -> None:
    """Case 16.1e the generated district's middle and high schools have no homerooms and some of
    their students withdraw and re-enter (11-30 school days in no class): per school and year,
    students enrolled 10+ days, days enrolled, days absent and chronic absentees equal the
    truth's (`attendance.by_school`; absences waiting for identity review counted back, as in
    test_inquiry_marts, an attendance-incomplete student's unknown absences as those), and
    both blocking span rules passed in the load."""
    truth = district.truth
    expected = [
        (
            r["school_year"],
            r["school"],
            r["students_with_10plus_days"],
            r["days_enrolled"],
            r["days_absent"],
            r["chronic_absent_students"],
        )
        for r in district.counts["attendance"]["by_school"]
    ]
    with district.warehouse() as con:
        actual = con.execute(
            f"""
            with waiting as (
                select d.student_key, sch.school_key, cal.school_year,
                       count(distinct e.attendance_date) as n_days
                from intermediate.int_attendance_events e
                join read_parquet('{truth}/records.parquet') r
                    on e._source_file = r.source_file and e._line_number = r.line_number
                join read_parquet('{truth}/students.parquet') s
                    on r.true_student_id = s.true_student_id
                join marts.dim_student d on d.local_id = s.sis_local_id
                join marts.dim_school sch on sch.school_id = e.school_id
                join marts.dim_calendar cal
                    on cal.school_key = sch.school_key and cal.calendar_date = e.attendance_date
                where e._conform_reason like 'student not linked%' and e.is_absent
                group by 1, 2, 3
            )
            select y.school_year, sch.school_id,
                   count(*) filter (where y.n_days_enrolled >= {CHRONIC_MIN_DAYS}),
                   sum(y.n_days_enrolled),
                   sum(coalesce(y.n_days_absent, 0) + coalesce(w.n_days, 0)),
                   count(*) filter (
                       where y.n_days_enrolled >= {CHRONIC_MIN_DAYS}
                       and coalesce(y.n_days_absent, 0) + coalesce(w.n_days, 0)
                           >= {CHRONIC_THRESHOLD} * y.n_days_enrolled
                   )
            from marts.fct_student_attendance_school_year y
            join marts.dim_school sch using (school_key)
            left join waiting w using (student_key, school_key, school_year)
            group by all order by all
            """
        ).fetchall()
        sources = dict(
            con.execute(
                "select span_source, count(*) from intermediate.int_enrollment_spans group by 1"
            ).fetchall()
        )
        reentries = con.execute(
            "select count(*) from (select student_key from intermediate.int_enrollment_spans "
            "where span_source = 'classes' group by student_key, school_id, school_year "
            "having count(*) = 2)"
        ).fetchone()[0]
        outcomes = dict(
            con.execute(
                "select expectation, bool_and(success) from audit.quality_results "
                f"where expectation like '%:{STUDENTS_WITHOUT_SPAN}' "
                f"or expectation like '%:{ATTENDANCE_OUTSIDE_SPANS}' group by 1"
            ).fetchall()
        )
    assert [tuple(r) for r in actual] == expected
    assert set(sources) == {"homeroom", "classes"} and sources["classes"] > 0.4 * sum(
        sources.values()
    )
    assert reentries > 0
    assert len(outcomes) == 2 and all(outcomes.values()), outcomes
