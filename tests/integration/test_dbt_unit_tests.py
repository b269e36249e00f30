"""dbt unit tests (identity, code mapping, chronic absence, suppression) on hand-computed rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.home import Home
from connectors.landing import ensure_empty_audit
from connectors.raw import ensure_schema_files
from connectors.tables import RAW_TABLES
from settings.goals import write_goals
from tests.fixtures.dbt import run_dbt

pytestmark = pytest.mark.integration


def test_dbt_unit_tests_pass(tmp_path: Path) -> None:
    home = Home(tmp_path).ensure()
    ensure_empty_audit(home)
    for spec in RAW_TABLES:
        ensure_schema_files(home.raw, spec)
    write_goals(home, goals=())
    # cautious: a data test of a selected model that also reads an unselected one (relationships
    # to a dimension) is not run against an empty warehouse.
    selection = ["--select", "+test_type:unit", "--indirect-selection", "cautious"]
    run = run_dbt(tmp_path, ["build", *selection], tmp_path / "dbt_target")
    assert "identity_rules_precision_first" in run.stdout
    assert "ids_with_leading_zeros_unmatched_by_default" in run.stdout
    assert "ids_with_leading_zeros_matched_for_the_sources_named" in run.stdout
    assert "a_name_link_contradicted_by_the_record_waits_for_review" in run.stdout
    assert "student_grade_in_a_year_from_homeroom_then_most_classes" in run.stdout
    assert "student_grade_from_users_then_the_latest_year_of_classes" in run.stdout
    assert "attendance_codes_map_or_quarantine" in run.stdout
    assert "attendance_days_per_month_from_spans_and_exceptions" in run.stdout
    assert "chronic_absence_per_school_from_monthly_rows" in run.stdout
    assert "chronic_absence_across_schools_for_the_district" in run.stdout
    assert "small_cell_and_its_complement_are_suppressed" in run.stdout
    assert "proficiency_rate_and_gap_to_all_students" in run.stdout
    assert "growth_between_map_windows" in run.stdout
    assert "state_test_beside_last_window_benchmarks_per_section" in run.stdout
    assert "early_warning_flags_and_tiers" in run.stdout
    assert "goal_progress_against_the_target_line" in run.stdout
    assert "enrollment_spans_from_homeroom_then_role_then_classes_split_at_gaps" in run.stdout
    assert "proficiency_gap_is_the_subgroup_against_the_rest_in_points" in run.stdout
    assert "cohort_follows_the_same_students_across_years" in run.stdout
