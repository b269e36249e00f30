"""Quality rules of the attendance source: exceptions against the school calendar, its student list,
quarantine, identity links and deliveries."""

from __future__ import annotations

from expectations import rules
from expectations.settings import QualitySettings
from expectations.spec import SuiteSpec
from expectations.suites._deliveries import file_loads_suite, superseded_by_a_newer_delivery


def _school_year_of(date_sql: str) -> str:
    """SQL for a date's school year (July to June), named by its ending year."""
    return (
        f"(extract(year from {date_sql}) "
        f"+ case when extract(month from {date_sql}) >= 7 then 1 else 0 end)"
    )


def build_suites(settings: QualitySettings) -> list[SuiteSpec]:
    # An anti-join written as a left join (as rules.in_dimension): `y` holds one row per school
    # year, so each exception meets at most one and is returned once when it meets none. DuckDB
    # ran the `not exists` form of this about 4 times slower on 1.5 M exceptions.
    outside_year = (
        f"select e.school_id from {rules.BATCH} as e "
        "left join ("
        f"select {_school_year_of('c.calendar_date')} as school_year, "
        "min(c.calendar_date) as first_day, max(c.calendar_date) as last_day "
        "from intermediate.int_school_calendar as c group by 1) as y "
        f"on y.school_year = {_school_year_of('e.attendance_date')} "
        "and e.attendance_date between y.first_day and y.last_day "
        "where y.school_year is null"
    )
    not_school_day = (
        f"select e.school_id from {rules.BATCH} as e "
        "left join intermediate.int_school_calendar as c "
        "on c.school_id = e.school_id and c.calendar_date = e.attendance_date "
        "where c.is_instructional is distinct from true"
    )
    return [
        SuiteSpec(
            name="stg_attendance__exceptions",
            domain="attendance",
            asset_key=["staging", "stg_attendance__exceptions"],
            table="staging.stg_attendance__exceptions",
            description="Absences, tardies and other exceptions, one row per student and day.",
            expectations=[
                rules.not_null("att_student_id", "Some exceptions name no student."),
                rules.not_null("attendance_date", "Some exceptions have no date."),
                rules.not_null("school_id", "Some exceptions name no known school."),
                rules.not_null(
                    "category_key", "Some exceptions carry a code with no attendance category."
                ),
                rules.sql_rule(
                    "presence_status_disagrees_with_code",
                    f"select e.school_id from {rules.BATCH} as e "
                    "where e.presence_status is not null "
                    "and e.is_absent is distinct from (e.presence_status = 'absent')",
                    "Some exceptions are marked Present or Absent by the attendance system "
                    "(PowerSchool's Presence_Status_CD) against what the attendance_codes "
                    "crosswalk says of their code; the crosswalk decides what counts. Check "
                    "is_absent for those codes in config/crosswalks/attendance_codes.csv.",
                    blocking=False,
                    names=("school_id",),
                ),
                rules.sql_rule(
                    "date_outside_school_year",
                    outside_year,
                    "Some exceptions are dated outside the school year of the SIS calendar "
                    "(a typo in the year, or a calendar not yet loaded). Correct the date in "
                    "the attendance system.",
                    blocking=False,
                    max_rows=settings.max_off_calendar_attendance_rows,
                ),
                rules.sql_rule(
                    "date_not_instructional_day",
                    not_school_day,
                    "Some exceptions fall on a day that is not an instructional day of that "
                    "school in the SIS calendar (a weekend, holiday, or a school code the "
                    "calendar does not know); they are kept out of attendance rates. Check the "
                    "date, the school code crosswalk and the SIS calendar.",
                    blocking=False,
                    max_rows=settings.max_off_calendar_attendance_rows,
                ),
            ],
        ),
        SuiteSpec(
            name="stg_attendance__students",
            domain="attendance",
            asset_key=["staging", "stg_attendance__students"],
            table="staging.stg_attendance__students",
            description="The attendance system's student list.",
            expectations=[
                *rules.key("att_student_id", "attendance student"),
                rules.implausible_birth_dates(
                    settings.min_birth_year, "students of the attendance system's list"
                ),
            ],
        ),
        SuiteSpec(
            name="quarantine_attendance",
            domain="attendance",
            asset_key=["quarantine", "quarantine_attendance"],
            table="quarantine.quarantine_attendance",
            description="Attendance rows set aside in the latest load, by reason.",
            expectations=[
                rules.quarantined(
                    "unmapped attendance code",
                    "unknown attendance code",
                    max_rows=settings.max_unmapped_code_rows,
                ),
                rules.quarantined(
                    "school not in the school crosswalk",
                    "unknown school code (see quarantine.school_review)",
                    max_rows=settings.max_unmapped_code_rows,
                ),
                rules.sql_rule(
                    "period_attendance_not_daily",
                    "select q.line_number from "
                    f"{rules.BATCH} as q where q.reason = 'period attendance, not daily' "
                    f"and {rules.latest_loads_filter('q')}",
                    "The attendance export holds period (meeting) attendance, one row per "
                    "class period (Att_Mode_Code other than ATT_ModeDaily); those rows were set "
                    "aside, since they would count a day once per period. Export daily "
                    "attendance only (PowerSchool: ATT_ModeDaily, or PS_Attendance_Daily).",
                    blocking=False,
                ),
                superseded_by_a_newer_delivery(
                    "attendance",
                    "Attendance codes of an earlier file were replaced by a newer delivery with "
                    "the same student, school and day (a corrected file sent under another "
                    "name): the newer code counts, never both. If the newer file is the wrong "
                    "one, retract it: districtwide retract <file> (docs/operations.md).",
                ),
            ],
        ),
        SuiteSpec(
            name="attendance_identity_matches",
            domain="attendance",
            asset_key=["intermediate", "int_identity_matches"],
            table="intermediate.int_identity_matches",
            description="How many attendance students link to a SIS student.",
            expectations=[
                rules.unmatched_share(["attendance"], settings.max_unmatched_identity_share)
            ],
        ),
        file_loads_suite("attendance", settings),
    ]


SUITES: list[SuiteSpec] = build_suites(QualitySettings())
