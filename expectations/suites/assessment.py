"""Quality rules of the assessment sources (state test, NWEA MAP, benchmark and language tests):
scores, quarantine, identity links and deliveries."""

from __future__ import annotations

from expectations import rules
from expectations.settings import QualitySettings
from expectations.spec import SuiteSpec
from expectations.suites._deliveries import file_loads_suite, superseded_by_a_newer_delivery


def build_suites(settings: QualitySettings) -> list[SuiteSpec]:
    low, high = settings.state_scale_score_min, settings.state_scale_score_max
    # The band of the result's level row (crosswalk achievement_levels: per assessment, subject
    # and grade), carried by the staged row.
    level_disagrees = (
        f"select s.school_year from {rules.BATCH} as s "
        "where s.scale_score < s.min_scale_score or s.scale_score > s.max_scale_score"
    )
    no_score = (
        f"select s.school_year from {rules.BATCH} as s where s.is_tested and s.scale_score is null"
    )
    return [
        SuiteSpec(
            name="stg_assessment__state_results",
            domain="assessment",
            asset_key=["staging", "stg_assessment__state_results"],
            table="staging.stg_assessment__state_results",
            description="State test results, one row per student, year and subject.",
            expectations=[
                rules.not_null("school_year", "Some state results have no school year."),
                rules.not_null("subject_code", "Some state results have no subject."),
                rules.sql_rule(
                    "tested_result_without_scale_score",
                    no_score,
                    "Some state results of tested students have no scale score (a student not "
                    "tested has none, with a reason from crosswalk not_tested_codes).",
                ),
                rules.between(
                    "scale_score",
                    low,
                    high,
                    f"Some state scale scores are outside the reported scale {low}-{high}; "
                    "proficiency would be wrong. Ask the assessment office for a corrected file.",
                ),
                rules.sql_rule(
                    "achievement_level_disagrees_with_score",
                    level_disagrees,
                    "Some results have an achievement level whose score band does not contain "
                    "the scale score (crosswalk achievement_levels). Check the cut scores.",
                    blocking=False,
                ),
                rules.implausible_birth_dates(settings.min_birth_year, "state test results"),
            ],
        ),
        SuiteSpec(
            name="stg_assessment__map_results",
            domain="assessment",
            asset_key=["staging", "stg_assessment__map_results"],
            table="staging.stg_assessment__map_results",
            description="NWEA MAP results, one row per student, term and subject.",
            expectations=[
                rules.not_null("test_date", "Some MAP results have no test date."),
                rules.not_null("rit_score", "Some MAP results have no RIT score."),
                rules.between(
                    "percentile",
                    settings.map_percentile_min,
                    settings.map_percentile_max,
                    "Some MAP percentiles are outside 1-99: the file's columns may be shifted.",
                ),
                rules.implausible_birth_dates(settings.min_birth_year, "MAP results"),
            ],
        ),
        SuiteSpec(
            name="stg_assessment__benchmark_results",
            domain="assessment",
            asset_key=["staging", "stg_assessment__benchmark_results"],
            table="staging.stg_assessment__benchmark_results",
            description="Benchmark and language test results (i-Ready, Star, DIBELS 8, WIDA "
            "ACCESS), one row per student, test event and measure.",
            expectations=[
                rules.not_null("test_date", "Some benchmark results have no test date."),
                rules.not_null("school_year", "Some benchmark results have no school year."),
                rules.between(
                    "percentile",
                    1,
                    99,
                    "Some benchmark percentiles are outside 1-99: the file's columns may be "
                    "shifted.",
                ),
                rules.implausible_birth_dates(settings.min_birth_year, "benchmark results"),
            ],
        ),
        SuiteSpec(
            name="quarantine_assessment",
            domain="assessment",
            asset_key=["quarantine", "quarantine_assessment"],
            table="quarantine.quarantine_assessment",
            description="Assessment rows set aside in the latest load, by reason.",
            expectations=[
                rules.quarantined(
                    "unmapped achievement level",
                    "unknown achievement level",
                    max_rows=settings.max_unmapped_code_rows,
                ),
                rules.quarantined(
                    "unmapped grade code",
                    "unknown grade code",
                    max_rows=settings.max_unmapped_code_rows,
                ),
                rules.quarantined(
                    "unmapped testing window",
                    "unknown benchmark testing window (seed assessment_windows)",
                    max_rows=settings.max_unmapped_code_rows,
                ),
                rules.quarantined(
                    "unmapped subject",
                    "unknown subject code",
                    max_rows=settings.max_unmapped_code_rows,
                ),
                rules.quarantined(
                    "school not in the school crosswalk",
                    "unknown school code or name (see quarantine.school_review)",
                    max_rows=settings.max_unmapped_code_rows,
                ),
                rules.quarantined(
                    "unmapped participation code",
                    "unknown not-tested code",
                    max_rows=settings.max_unmapped_code_rows,
                ),
                superseded_by_a_newer_delivery(
                    "assessment",
                    "Results of an earlier file were replaced by a newer delivery with the same "
                    "student, assessment, subject and administration (a corrected file sent "
                    "under another name): the newer one counts, never both. If the newer file "
                    "is the wrong one, retract it: districtwide retract <file> "
                    "(docs/operations.md).",
                ),
            ],
        ),
        SuiteSpec(
            name="assessment_identity_matches",
            domain="assessment",
            asset_key=["intermediate", "int_identity_matches"],
            table="intermediate.int_identity_matches",
            description="How many tested students link to a SIS student.",
            expectations=[
                rules.unmatched_share(
                    ["state_assessment", "map", "benchmark"], settings.max_unmatched_identity_share
                )
            ],
        ),
        file_loads_suite("assessment", settings),
    ]


SUITES: list[SuiteSpec] = build_suites(QualitySettings())
