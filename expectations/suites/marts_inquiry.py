"""Quality rules of the inquiry marts: student-year attendance and the aggregates meant for wide
audiences, where a small cell shown is a privacy breach, not a cosmetic bug."""

from __future__ import annotations

from expectations import rules
from expectations.settings import QualitySettings
from expectations.spec import SuiteSpec


def small_cells_shown(n_column: str, value_columns: list[str], min_cell_size: int) -> list:
    """No unsuppressed cell under the minimum size; no figure left in a suppressed cell."""
    shown_values = " or ".join(f"a.{c} is not null" for c in value_columns)
    return [
        rules.sql_rule(
            "small_cell_shown",
            f"select a.school_year from {rules.BATCH} as a "
            f"where not a.is_suppressed and (a.{n_column} is null or a.{n_column} < "
            f"{int(min_cell_size)})",
            f"A cell of fewer than {min_cell_size} students is shown: it can identify a child. "
            "The served marts were not replaced; check the suppression macro and min_cell_size.",
        ),
        rules.sql_rule(
            "suppressed_cell_has_values",
            f"select a.school_year from {rules.BATCH} as a "
            f"where a.is_suppressed and ({shown_values})",
            "A suppressed cell still carries a figure, which could be read back.",
        ),
    ]


def build_suites(settings: QualitySettings) -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="fct_student_attendance_year",
            domain="attendance",
            asset_key=["marts", "fct_student_attendance_year"],
            table="marts.fct_student_attendance_year",
            description="Days enrolled, present and absent per student and school year.",
            expectations=[
                *rules.key("student_attendance_year_key", "student-year"),
                rules.sql_rule(
                    "days_do_not_add_up",
                    f"select f.school_year from {rules.BATCH} as f "
                    "where f.n_days_present + f.n_days_absent <> f.n_days_enrolled",
                    "Days present and absent do not add up to the days enrolled; rates and "
                    "chronic absence would be wrong.",
                ),
                rules.sql_rule(
                    "absences_do_not_add_up",
                    f"select f.school_year from {rules.BATCH} as f "
                    "where f.n_days_absent_excused + f.n_days_absent_unexcused "
                    "+ f.n_days_out_of_school_suspension <> f.n_days_absent",
                    "Excused, unexcused and out-of-school suspension days do not add up to the "
                    "days absent; check the attendance_codes crosswalk's category_key.",
                ),
                rules.between(
                    "attendance_rate", 0, 1, "Some attendance rates fall outside 0 to 1."
                ),
                rules.sql_rule(
                    "attendance_awaiting_review",
                    f"select f.school_year from {rules.BATCH} as f "
                    "where f.is_attendance_incomplete",
                    "Some students have no linked attendance record (held in identity review, "
                    "or missing from the attendance student list): their absences are unknown, "
                    "so they are left out of attendance rates and chronic absence, and counted "
                    "as awaiting review. Work quarantine.identity_review; the students per school "
                    "are in quarantine.attendance_incomplete.",
                    blocking=False,
                ),
            ],
        ),
        SuiteSpec(
            name="agg_attendance_by_school",
            domain="attendance",
            asset_key=["marts", "agg_attendance_by_school"],
            table="marts.agg_attendance_by_school",
            description="Attendance and chronic absence rates per school, year and subgroup.",
            expectations=[
                *small_cells_shown(
                    "n_students",
                    ["attendance_rate", "chronic_absence_rate", "n_chronically_absent"],
                    settings.min_cell_size,
                ),
                rules.between(
                    "chronic_absence_rate", 0, 1, "Some chronic absence rates fall outside 0-1."
                ),
            ],
        ),
        SuiteSpec(
            name="agg_proficiency_by_school",
            domain="assessment",
            asset_key=["marts", "agg_proficiency_by_school"],
            table="marts.agg_proficiency_by_school",
            description="State test proficiency per school, year, subject and subgroup.",
            expectations=[
                *small_cells_shown(
                    "n_tested",
                    ["proficiency_rate", "n_proficient", "gap_to_all_students"],
                    settings.min_cell_size,
                ),
                rules.between("proficiency_rate", 0, 1, "Some proficiency rates fall outside 0-1."),
            ],
        ),
    ]


SUITES: list[SuiteSpec] = build_suites(QualitySettings())
