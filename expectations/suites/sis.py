"""Quality rules of the SIS (OneRoster) source: its staging tables, quarantine and deliveries."""

from __future__ import annotations

from expectations import rules
from expectations.settings import QualitySettings
from expectations.spec import SuiteSpec
from expectations.suites._deliveries import file_loads_suite

#: The federal race/ethnicity categories the SIS flags map to (seed `race_ethnicity`).
RACE_ETHNICITY: tuple[str, ...] = (
    "Hispanic or Latino",
    "American Indian or Alaska Native",
    "Asian",
    "Black or African American",
    "Native Hawaiian or Other Pacific Islander",
    "White",
    "Two or More Races",
)


def build_suites(settings: QualitySettings) -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="stg_sis__users",
            domain="sis",
            asset_key=["staging", "stg_sis__users"],
            table="staging.stg_sis__users",
            description="Students and teachers of the SIS export.",
            expectations=[
                rules.row_count_at_least(
                    1, "The SIS export has no users: the file is empty or was cut short."
                ),
                *rules.key("user_id", "SIS user"),
                rules.not_null(
                    "user_role",
                    "Some SIS users have no role, so they are neither students nor teachers.",
                ),
            ],
        ),
        SuiteSpec(
            name="stg_sis__demographics",
            domain="sis",
            asset_key=["staging", "stg_sis__demographics"],
            table="staging.stg_sis__demographics",
            description="Birth date, sex and race/ethnicity of SIS students.",
            expectations=[
                *rules.key("student_id", "SIS demographics"),
                rules.in_set(
                    "race_ethnicity",
                    RACE_ETHNICITY,
                    "Some students have a race/ethnicity outside the federal categories; "
                    "fix the seed race_ethnicity.",
                ),
                rules.not_null(
                    "race_ethnicity",
                    "Some students have no recognised race/ethnicity flag in the SIS "
                    "demographics export; they are left out of subgroup reports. Ask the "
                    "registrar to complete the record.",
                    blocking=False,
                ),
                rules.implausible_birth_dates(settings.min_birth_year, "SIS students"),
            ],
        ),
        SuiteSpec(
            name="stg_sis__calendar",
            domain="sis",
            asset_key=["staging", "stg_sis__calendar"],
            table="staging.stg_sis__calendar",
            description="Each school's calendar days.",
            expectations=[
                rules.row_count_at_least(
                    1, "The SIS calendar is empty: no day can count as a school day."
                ),
                rules.not_null("school_id", "Some calendar days belong to no school."),
                rules.not_null("calendar_date", "Some calendar rows have no date."),
                rules.unique_together(
                    ["school_id", "calendar_date"],
                    "A school has the same date twice in its calendar; school days would be "
                    "counted twice. Fix the calendar export.",
                ),
                rules.not_null(
                    "is_instructional",
                    "Some calendar days are neither instructional nor not: their day type is "
                    "unknown.",
                ),
            ],
        ),
        SuiteSpec(
            name="stg_sis__orgs",
            domain="sis",
            asset_key=["staging", "stg_sis__orgs"],
            table="staging.stg_sis__orgs",
            description="The district and its schools.",
            expectations=[*rules.key("org_id", "SIS organisation")],
        ),
        SuiteSpec(
            name="stg_sis__enrollments",
            domain="sis",
            asset_key=["staging", "stg_sis__enrollments"],
            table="staging.stg_sis__enrollments",
            description="Who is enrolled in which class, from when to when.",
            expectations=[
                *rules.key("enrollment_id", "SIS enrollment"),
                rules.not_null("user_id", "Some enrollments name no person."),
                rules.not_null("section_id", "Some enrollments name no class."),
                rules.sql_rule(
                    "enrollment_ends_before_it_begins",
                    f"select 1 as backwards from {rules.BATCH} as e "
                    "where e.end_date < e.begin_date",
                    "Some enrollments end before they begin; the student would count as "
                    "enrolled on no day. Correct the dates in the SIS.",
                ),
            ],
        ),
        SuiteSpec(
            name="quarantine_sis",
            domain="sis",
            asset_key=["quarantine", "quarantine_sis"],
            table="quarantine.quarantine_sis",
            description="SIS rows set aside in the latest load, by reason.",
            expectations=[
                rules.quarantined(
                    "unmapped grade code",
                    "unknown grade code",
                    max_rows=settings.max_unmapped_code_rows,
                ),
                rules.quarantined(
                    "unmapped sex code",
                    "unknown sex code",
                    max_rows=settings.max_unmapped_code_rows,
                ),
                rules.duplicated_records(
                    "users, enrollments or other records", max_rows=settings.max_duplicate_sis_rows
                ),
            ],
        ),
        file_loads_suite("sis", settings),
    ]


SUITES: list[SuiteSpec] = build_suites(QualitySettings())
