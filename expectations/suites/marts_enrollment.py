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
STUDENTS_WITHOUT_SPAN = "students_without_enrollment_span"
ATTENDANCE_OUTSIDE_SPANS = "attendance_outside_enrollment_spans"
#: int_attendance_events' conform reason for a row no span of the student at that school covers.
NOT_ENROLLED = "student not enrolled at that school on that date"


def outside_spans_query(max_share: float) -> str:
    """The rows outside every span, all of them once their share of the linked rows (those whose
    enrollment could be checked) is over `max_share`; none while it is within."""
    reason = rules.sql_literal(NOT_ENROLLED)
    return (
        "with shares as (select avg(case when e._conform_reason = "
        f"{reason} then 1.0 else 0.0 end) as outside_share "
        f"from {rules.BATCH} as e where e.student_key is not null) "
        f"select o.school_id from {rules.BATCH} as o cross join shares as s "
        f"where o._conform_reason = {reason} and s.outside_share > {max_share:.6g}"
    )


def build_suites(settings: QualitySettings) -> list[SuiteSpec]:
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
            name="int_students_without_span",
            domain="sis",
            asset_key=["intermediate", "int_students_without_span"],
            table="intermediate.int_students_without_span",
            description="Active SIS students with a school and no enrollment span, per school.",
            expectations=[
                rules.sql_rule(
                    STUDENTS_WITHOUT_SPAN,
                    # each school once per student without a span (rules.EACH_ROW)
                    "select o.school_id, o.school_name from (select s.school_id, "
                    f"s.school_name, s.n_students as n from {rules.BATCH} as s) as o "
                    f"{rules.EACH_ROW}",
                    "Some active students with a school have no enrollment there: no homeroom, "
                    "school role or class enrollment in the SIS export, so their attendance is "
                    "set aside and they count in no rate. Enroll them in their classes (or "
                    "homeroom) in the SIS, or end their enrollment if they left.",
                    names=("school_id", "school_name"),
                ),
            ],
        ),
        SuiteSpec(
            name="attendance_enrollment_coverage",
            domain="sis",
            asset_key=["intermediate", "int_attendance_events"],
            table="intermediate.int_attendance_events",
            description="Attendance exceptions of linked students that fall outside every "
            "enrollment span of the student at that school.",
            expectations=[
                rules.sql_rule(
                    ATTENDANCE_OUTSIDE_SPANS,
                    outside_spans_query(settings.max_attendance_outside_span_share),
                    f"More than {settings.max_attendance_outside_span_share:.0%} of the "
                    "attendance records of linked students fall on days the SIS has them "
                    "enrolled at no span of that school, so they are set aside: enrollments are "
                    "missing or end too early in the SIS. Check the schools named: each "
                    "student's class or homeroom enrollments and their begin and end dates.",
                    names=("school_id",),
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
