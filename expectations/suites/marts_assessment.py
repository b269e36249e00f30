"""Quality rules of the assessment mart: results linked to students and schools, scores on their
scales (the assessment stewards own it)."""

from __future__ import annotations

from expectations import rules
from expectations.settings import QualitySettings
from expectations.spec import SuiteSpec


def build_suites(settings: QualitySettings) -> list[SuiteSpec]:
    low, high = settings.state_scale_score_min, settings.state_scale_score_max
    return [
        SuiteSpec(
            name="fct_assessment_result",
            domain="assessment",
            asset_key=["marts", "fct_assessment_result"],
            table="marts.fct_assessment_result",
            description="One row per student test result (state test, MAP, benchmarks).",
            expectations=[
                *rules.key("assessment_result_key", "assessment result"),
                rules.in_set(
                    "assessment",
                    ["state", "map", "benchmark"],
                    "Some results come from an unknown test.",
                ),
                rules.not_null("student_key", "Some results belong to no student."),
                rules.in_dimension("student_key", "marts.dim_student", "student"),
                rules.in_dimension("school_key", "marts.dim_school", "school"),
                rules.sql_rule(
                    "state_scale_score_out_of_range",
                    f"select f.school_year from {rules.BATCH} as f "
                    f"where f.assessment = 'state' and f.is_tested and (f.scale_score is null "
                    f"or f.scale_score < {int(low)} or f.scale_score > {int(high)})",
                    f"Some state results of tested students have no scale score or one outside "
                    f"{low}-{high}; proficiency rates would be wrong.",
                ),
                rules.between(
                    "percentile",
                    settings.map_percentile_min,
                    settings.map_percentile_max,
                    "Some MAP or benchmark percentiles are outside 1-99.",
                ),
                rules.school_year_without_calendar_or_enrollment(),
            ],
        ),
    ]


SUITES: list[SuiteSpec] = build_suites(QualitySettings())
