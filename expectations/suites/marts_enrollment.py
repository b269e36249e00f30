"""Quality rules of the enrollment marts: the conformed dimensions, enrollment spans and the
enrollment fact (the SIS stewards own them)."""

from __future__ import annotations

from expectations import rules
from expectations.settings import QualitySettings
from expectations.spec import SuiteSpec

OVERLAPPING_SPANS = (
    "select s.school_year from ("
    "select school_year, entry_date, max(exit_date) over ("
    "partition by student_key, school_id order by entry_date, exit_date "
    "rows between unbounded preceding and 1 preceding) as earlier_exit "
    f"from {rules.BATCH} as spans) as s "
    "where s.entry_date <= s.earlier_exit"
)

SCHOOL_CALENDAR_MISSING = "school_calendar_missing"


def build_suites(settings: QualitySettings) -> list[SuiteSpec]:
    del settings  # no thresholds here: every rule is exact
    return [
        SuiteSpec(
            name="dim_student",
            domain="sis",
            asset_key=["marts", "dim_student"],
            table="marts.dim_student",
            description="One row per student.",
            expectations=[
                *rules.key("student_key", "student"),
                rules.not_null("local_id", "Some students have no SIS local ID."),
                rules.in_dimension(
                    "current_school_key",
                    "marts.dim_school",
                    "school",
                    dimension_column="school_key",
                ),
            ],
        ),
        SuiteSpec(
            name="dim_school",
            domain="sis",
            asset_key=["marts", "dim_school"],
            table="marts.dim_school",
            description="One row per school.",
            expectations=[
                *rules.key("school_key", "school"),
                rules.unique("school_id", "Two schools share one SIS school ID."),
            ],
        ),
        SuiteSpec(
            name="dim_teacher",
            domain="sis",
            asset_key=["marts", "dim_teacher"],
            table="marts.dim_teacher",
            description="One row per teacher.",
            expectations=[*rules.key("teacher_key", "teacher")],
        ),
        SuiteSpec(
            name="dim_section",
            domain="sis",
            asset_key=["marts", "dim_section"],
            table="marts.dim_section",
            description="One row per class section.",
            expectations=[
                *rules.key("section_key", "section"),
                rules.in_dimension("school_key", "marts.dim_school", "school"),
                rules.in_dimension("teacher_key", "marts.dim_teacher", "teacher"),
            ],
        ),
        SuiteSpec(
            name="dim_calendar",
            domain="sis",
            asset_key=["marts", "dim_calendar"],
            table="marts.dim_calendar",
            description="One row per school and calendar day.",
            expectations=[
                rules.not_null("school_key", "Some calendar days belong to no school."),
                rules.not_null("calendar_date", "Some calendar rows have no date."),
                rules.unique_together(
                    ["school_key", "calendar_date"],
                    "A school has a date twice in the calendar dimension; school days would be "
                    "counted twice.",
                ),
                rules.in_dimension("school_key", "marts.dim_school", "school"),
            ],
        ),
        SuiteSpec(
            name="int_schools_without_calendar",
            domain="sis",
            asset_key=["intermediate", "int_schools_without_calendar"],
            table="intermediate.int_schools_without_calendar",
            description=(
                "Schools with enrollments in the current school year and no instructional day "
                "in the school calendar (the SIS's or the attendance system's)."
            ),
            expectations=[
                rules.sql_rule(
                    SCHOOL_CALENDAR_MISSING,
                    f"select s.school_id, s.school_name from {rules.BATCH} as s",
                    "A school with students enrolled this school year has no instructional days "
                    "in the SIS calendar or the attendance system's calendar, so its attendance "
                    "cannot be counted. Deliver its calendar (SIS calendar extract or "
                    "CALENDAR_DAY export) or check the school crosswalk.",
                    names=("school_id", "school_name"),
                ),
            ],
        ),
        SuiteSpec(
            name="int_enrollment_spans",
            domain="sis",
            asset_key=["intermediate", "int_enrollment_spans"],
            table="intermediate.int_enrollment_spans",
            description="Each student's school enrollment spans.",
            expectations=[
                rules.not_null("student_key", "Some enrollment spans belong to no student."),
                rules.sql_rule(
                    "overlapping_enrollment_spans",
                    OVERLAPPING_SPANS,
                    "Some students have two enrollments in the same school over the same days, "
                    "so they would be counted twice on those days. Close the earlier enrollment "
                    "in the SIS.",
                ),
            ],
        ),
        SuiteSpec(
            name="fct_enrollment",
            domain="sis",
            asset_key=["marts", "fct_enrollment"],
            table="marts.fct_enrollment",
            description="One row per student enrollment span in a school.",
            expectations=[
                *rules.key("enrollment_key", "enrollment"),
                rules.not_null("student_key", "Some enrollments belong to no student."),
                rules.in_dimension("student_key", "marts.dim_student", "student"),
                rules.in_dimension("school_key", "marts.dim_school", "school"),
                rules.sql_rule(
                    "exit_before_entry",
                    f"select f.school_year from {rules.BATCH} as f "
                    "where f.exit_date < f.entry_date",
                    "Some enrollments end before they start.",
                ),
            ],
        ),
    ]


SUITES: list[SuiteSpec] = build_suites(QualitySettings())
