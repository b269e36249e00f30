"""Quality rules of the attendance mart's stored rows, the exception days (the attendance
stewards own them). The daily fact is a view: its present days are enrollment × calendar, whose
keys the core suites and dbt tests check; checking the 17.6 M derived rows again would read them
once per rule."""

from __future__ import annotations

from expectations import rules
from expectations.settings import QualitySettings
from expectations.spec import SuiteSpec

# The exception days are counted per school, day and year first (~29,000 groups at 100k
# students), the groups are matched with the calendar, and each offending group is returned once
# per row (rules.EACH_ROW): the same rows as a row-by-row left join returns, a calendar row
# repeated included, for less CPU than joining every row.
NOT_SCHOOL_DAY = (
    "select o.school_year from ("
    "select g.school_year, g.n from (select f.school_key, f.calendar_date, f.school_year, "
    f"count(*) as n from {rules.BATCH} as f "
    "group by f.school_key, f.calendar_date, f.school_year) as g "
    "left join marts.dim_calendar as c "
    "on c.school_key = g.school_key and c.calendar_date = g.calendar_date "
    f"where c.is_instructional is distinct from true) as o {rules.EACH_ROW}"
)


def build_suites(settings: QualitySettings) -> list[SuiteSpec]:
    del settings  # no thresholds here: every rule is exact
    return [
        SuiteSpec(
            name="fct_attendance_exception_day",
            domain="attendance",
            asset_key=["marts", "fct_attendance_exception_day"],
            table="marts.fct_attendance_exception_day",
            description="One row per enrolled student, school and instructional day with an "
            "attendance exception.",
            expectations=[
                rules.not_null("student_key", "Some attendance days belong to no student."),
                rules.not_null("school_key", "Some attendance days belong to no school."),
                rules.not_null("calendar_date", "Some attendance days have no date."),
                # One row per student, school and day holds by construction (dbt model).
                rules.in_dimension("student_key", "marts.dim_student", "student"),
                rules.in_dimension("school_key", "marts.dim_school", "school"),
                rules.sql_rule(
                    "day_not_instructional",
                    NOT_SCHOOL_DAY,
                    "Some attendance days are not instructional days of the school's calendar; "
                    "rates would count days school was closed.",
                ),
            ],
        ),
    ]


SUITES: list[SuiteSpec] = build_suites(QualitySettings())
