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


#: A source's IDs match nothing in the SIS field the settings name but do match another field
#: (audit.id_field_report): one row per source, kind of ID and field that would match, described
#: in words and counts (never an ID).
ID_FIELD_QUERY = (
    "select r.source_system || ' ' || r.id_kind || ': ' || cast(r.n_matched as varchar) "
    "|| ' of ' || cast(r.n_source_ids as varchar) || ' IDs match SIS field ' || r.sis_field "
    "|| ', none match ' || r.setting_field || ' (the setting)' as finding "
    f"from {rules.BATCH} as r "
    "where not r.is_setting and r.n_matched > 0 and not exists ("
    f"select 1 from {rules.BATCH} as s where s.source_system = r.source_system "
    "and s.id_kind = r.id_kind and s.is_setting and s.n_matched > 0)"
)


def build_suites(settings: QualitySettings) -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="id_field_report",
            domain="sis",
            asset_key=["audit", "id_field_report"],
            table="audit.id_field_report",
            description="Which SIS user field each source's student IDs match.",
            expectations=[
                rules.sql_rule(
                    "id_field_matches_another_sis_field",
                    ID_FIELD_QUERY,
                    "A source's student IDs match nothing in the SIS field the district config "
                    "names (sis.local_id or sis.state_id) but do match another field, so no "
                    "record of that source links by that ID. Set the named field in the "
                    "district config's sis: section (audit.id_field_report has the counts).",
                    blocking=False,
                    names=("finding",),
                ),
            ],
        ),
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
