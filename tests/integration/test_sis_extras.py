"""SIS extras OneRoster lacks, through landing and dbt: program flags (wide and long), the school
calendar (the attendance system's as a fallback, the SIS's first) with the blocking rule that names
a school without one, and the attendance student list's state ID / SIS number cases.

Fixtures: tests/fixtures/layouts/oneroster_1_1 and oneroster_1_2 (invented people), plus files
written here in the shipped layouts' headers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts.after_run import rule_failures
from alerts.compose import compose_domain_alert
from connectors.home import Home
from expectations.history import write_history
from expectations.runner import run_suite
from expectations.suites import all_suites
from expectations.suites.marts_enrollment import SCHOOL_CALENDAR_MISSING
from settings.district import Contact
from tests.integration import test_oneroster
from tests.integration.test_oneroster import FIXTURES, build, deliver, land, rows

pytestmark = pytest.mark.integration

GUID_SCHOOL = "5d1c0f7e-0000-4000-8000-000000000101"  # Juniper Elementary in oneroster_1_2
TWO_DAYS = ["2026-08-24", "2026-08-25"]
STUDENT_HEADER = "StuNum,LastName,FirstName,MiddleInit,BirthDate,Gender,Grade,SchoolCode"


SELECT = (
    "+dim_student +dim_calendar +fct_enrollment +int_identity_matches "
    "+int_schools_without_calendar +quarantine_sis +dim_school"
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(tmp_path))
    monkeypatch.setattr(test_oneroster, "SELECT", SELECT)
    return Home(tmp_path).ensure()


def _school_crosswalk(home: Home, attendance_schools: dict[str, str]) -> None:
    """The district's school crosswalk: the attendance system's school numbers → SIS schools."""
    folder = home.root / "config" / "crosswalks"
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["source_system,vendor_school,school_sourced_id,note"]
    lines += [f"attendance,{code},{school}," for code, school in attendance_schools.items()]
    (folder / "school_crosswalk.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write(home: Home, relative: str, lines: list[str]) -> None:
    path = home.landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_program_flags_wide_and_a_long_list_both_reach_dim_student(home: Home) -> None:
    deliver(home, "oneroster_1_1")
    # Wide: one row per student, a yes/no column per program, values in every spelling.
    _write(
        home,
        "sis/programs/student_programs.csv",
        [
            "StudentID,LastName,FirstName,ELL,SPED,Sec504,FRL",
            "usr-s-50001,Ashcombe,Wren,y,No,0,TRUE",
            "usr-s-50002,Pellinore,Idris,N,YES,1,false",
            "usr-s-50003,Quill,Bram,maybe,N,N,N",
        ],
    )
    land(home)
    build(home)
    flags = rows(
        home,
        "select local_id, is_english_learner, has_disability, has_504_plan, is_low_income "
        "from marts.dim_student where local_id in ('usr-s-50001', 'usr-s-50002') order by 1",
    )
    assert flags == [
        ("usr-s-50001", True, False, False, True),
        ("usr-s-50002", False, True, True, False),
    ]
    quarantined = rows(
        home,
        "select reason, column_name from quarantine.quarantine_sis where entity = 'programs'",
    )
    assert quarantined == [("not a yes/no value", "participating")]


def test_a_long_program_list_reaches_dim_student_for_the_year(home: Home) -> None:
    deliver(home, "oneroster_1_1")
    _write(
        home,
        "sis/programs/programs.csv",
        [
            "studentSourcedId,programCode,beginDate,endDate",
            "usr-s-50001,ELL,2026-08-24,",
            "usr-s-50002,504,2026-08-24,2026-09-30",
            "usr-s-50003,504,09/01/2026,",
        ],
    )
    land(home)
    build(home)
    long = rows(
        home,
        "select local_id, is_english_learner, has_504_plan from marts.dim_student "
        "where local_id in ('usr-s-50001', 'usr-s-50002', 'usr-s-50003') order by 1",
    )
    # The 504 plan that ended in September counts for the year (a program open on any day of
    # the year, the default of setting metrics.program_subgroup_rule); as of the year's last day
    # it would not (tests/integration/test_roster_subgroups.py).
    assert long == [
        ("usr-s-50001", True, False),
        ("usr-s-50002", False, True),
        ("usr-s-50003", False, True),
    ]


def _calendar_days(school: str, dates: list[str], day_type: str = "instructional") -> list[str]:
    return [f"{school},{d},{day_type}" for d in dates]


def test_a_school_with_enrollments_and_no_calendar_is_named_by_a_blocking_rule(
    home: Home,
) -> None:
    deliver(home, "oneroster_1_1")
    # The SIS calendar has Cedar Ridge only; Birch Hill's students have no calendar at all.
    _write(
        home,
        "sis/calendar/calendar.csv",
        ["schoolSourcedId,date,dayType", *_calendar_days("org-s-201", TWO_DAYS)],
    )
    land(home)
    build(home)
    assert rows(home, "select school_id from intermediate.int_schools_without_calendar") == [
        ("org-s-101",)
    ]
    suite = next(s for s in all_suites() if s.name == "int_schools_without_calendar")
    result = run_suite(suite, home.warehouse, run_id="t")
    [outcome] = result.outcomes
    assert outcome.name.endswith(SCHOOL_CALENDAR_MISSING)
    assert not outcome.success and outcome.blocking and result.blocked
    assert outcome.named == "org-s-101 Birch Hill Elementary (fictional)"
    # The SIS stewards' email names the school (its ID and name; no student data).
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
    assert SCHOOL_CALENDAR_MISSING in body
    assert "Named: org-s-101 Birch Hill Elementary (fictional)." in body

    # With Birch Hill's calendar in the SIS extract the rule passes.
    _write(
        home,
        "sis/calendar/calendar.csv",
        [
            "schoolSourcedId,date,dayType",
            *_calendar_days("org-s-101", TWO_DAYS),
            *_calendar_days("org-s-201", TWO_DAYS),
        ],
    )
    land(home)
    build(home)
    assert run_suite(suite, home.warehouse, run_id="t2").outcomes[0].success


def _student_list(lines: list[str], with_sis: bool, with_state: bool) -> list[str]:
    header = STUDENT_HEADER + (",SisNumber" if with_sis else "")
    header += ",StateID" if with_state else ""
    return [header, *lines]


@pytest.mark.parametrize(
    ("case", "with_sis", "with_state", "expected_rule"),
    [
        ("state only", False, True, "state_id"),
        ("SIS only", True, False, "local_id"),
        ("both", True, True, "state_id"),
        ("neither", False, False, "name_birthdate"),
    ],
)
def test_the_attendance_list_links_by_state_id_then_sis_number_then_names(
    home: Home, case: str, with_sis: bool, with_state: bool, expected_rule: str
) -> None:
    deliver(home, "oneroster_1_2")
    people = [
        # (StuNum, last, first, birth date, SIS number, state ID) of the fixture's students
        ("A-1", "Brambleworth", "Juno", "05/02/2017", "310001", "7700000001"),
        ("A-3", "Weatherby", "Odell", "09/30/2014", "310003", "7700000003"),
    ]
    lines = []
    for stunum, last, first, birth, sis, state in people:
        line = f"{stunum},{last},{first},,{birth},F,6,101"
        line += f",{sis}" if with_sis else ""
        line += f",{state}" if with_state else ""
        lines.append(line)
    _school_crosswalk(home, {"101": GUID_SCHOOL})
    _write(home, "attendance/students.csv", _student_list(lines, with_sis, with_state))
    land(home)
    build(home, sis_local_id="userIds:district", sis_state_id="userIds:state")
    matched = rows(
        home,
        "select m.source_person_id, m.match_rule, s.local_id "
        "from intermediate.int_identity_matches m join marts.dim_student s using (student_key) "
        "where m.source_system = 'attendance' order by 1",
    )
    assert matched == [
        ("A-1", expected_rule, "310001"),
        ("A-3", expected_rule, "310003"),
    ], case


def test_a_state_id_wins_over_a_mistyped_sis_number(home: Home) -> None:
    """The SIS number typed is another real child's; the state ID names the right one."""
    deliver(home, "oneroster_1_2")
    _school_crosswalk(home, {"101": GUID_SCHOOL})
    _write(
        home,
        "attendance/students.csv",
        _student_list(["A-1,Brambleworth,Juno,,05/02/2017,F,3,101,310003,7700000001"], True, True),
    )
    land(home)
    build(home, sis_local_id="userIds:district", sis_state_id="userIds:state")
    assert rows(
        home,
        "select m.match_rule, s.local_id from intermediate.int_identity_matches m "
        "join marts.dim_student s using (student_key) where m.source_system = 'attendance'",
    ) == [("state_id", "310001")]


def _deliver_with_school_ids(home: Home, renames: dict[str, str]) -> None:
    """The OneRoster 1.1 fixture with its schools' sourcedIds renamed (to the IDs the attendance
    system's school codes map to through the school crosswalk)."""
    target = deliver(home, "oneroster_1_1")
    for path in target.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        for old, new in renames.items():
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")


def test_the_attendance_calendar_fills_a_school_year_the_sis_calendar_lacks(home: Home) -> None:
    _deliver_with_school_ids(home, {"org-s-101": "SCH01", "org-s-201": "SCH02"})
    _school_crosswalk(home, {"101": "SCH01", "102": "SCH02"})
    # The SIS calendar has SCH02's year; the attendance system's CALENDAR_DAY has both schools.
    _write(
        home,
        "sis/calendar/calendar.csv",
        ["schoolSourcedId,date,dayType", *_calendar_days("SCH02", TWO_DAYS)],
    )
    header = (FIXTURES / "powerschool_calendar_day" / "calendar_day.export.text").read_text()
    days = [
        # (SchoolID, Date_Value, InSession, MembershipValue, Type, Note): 101 = SCH01, 102 = SCH02
        ("101", "08/24/2026", "1", "1", "", ""),
        ("101", "08/25/2026", "1", "0.5", "Half day", "Early release"),
        ("101", "08/26/2026", "0", "0", "Holiday", "Storm"),
        ("101", "08/27/2026", "Y", "1", "", ""),
        ("102", "08/24/2026", "1", "1", "", ""),
        ("102", "08/26/2026", "1", "1", "", ""),
    ]
    lines = [header.splitlines()[0]]
    for i, (school, date, in_session, membership, kind, note) in enumerate(days, start=1):
        lines.append(
            "\t".join(
                [str(i), str(500 + i), school, date, in_session, membership, kind, note]
                + ["0"] * 6
                + ["1", "1", "35"]
            )
        )
    _write(home, "attendance/calendar_day.export.text", lines)
    land(home)
    build(home)
    calendar = rows(
        home,
        "select school_id, calendar_source, count(*), count(*) filter (where is_instructional) "
        "from intermediate.int_school_calendar group by 1, 2 order by 1, 2",
    )
    # SCH01 from the attendance system (3 of 4 days in session); SCH02 from the SIS only.
    assert calendar == [("SCH01", "attendance", 4, 3), ("SCH02", "sis", 2, 2)]
    spans = rows(
        home,
        "select sum(instructional_days_enrolled) from marts.fct_enrollment f "
        "join marts.dim_school s using (school_key) where s.school_id = 'SCH01'",
    )
    assert spans[0][0] > 0
    assert rows(home, "select count(*) from intermediate.int_schools_without_calendar") == [(0,)]
    assert rows(
        home,
        "select distinct calendar_source from marts.dim_calendar order by 1",
    ) == [("attendance",), ("sis",)]
