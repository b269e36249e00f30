"""The school-year partitions' helpers: years from the command line, the current school year,
and the dynamic partitions kept in year order (a range of partitions is a range of years)."""

from __future__ import annotations

from datetime import date

import pytest
from dagster import DagsterInstance

from orchestration.defs.dbt.school_years import (
    PARTITIONS_NAME,
    current_school_year,
    parse_years,
    recent_years,
    register,
)


def test_years_from_the_command_line() -> None:
    assert parse_years("2022-2025") == [2022, 2023, 2024, 2025]
    assert parse_years(" 2024 ") == [2024]
    for wrong in ("2025-2022", "2024,2026", "24", "2024-", "last"):
        with pytest.raises(ValueError):
            parse_years(wrong)


def test_a_nightly_run_builds_the_year_just_ended_too() -> None:
    assert recent_years(date(2026, 9, 2)) == (2026, 2027)
    assert recent_years(date(2027, 3, 1)) == (2026, 2027)


def test_the_current_school_year_runs_july_to_june() -> None:
    assert current_school_year(date(2026, 6, 30)) == 2026
    assert current_school_year(date(2026, 7, 1)) == 2027
    assert current_school_year(date(2027, 1, 15)) == 2027


def test_partitions_stay_in_year_order() -> None:
    with DagsterInstance.ephemeral() as instance:
        register(instance, [2025, 2026])
        register(instance, [2026])
        assert instance.get_dynamic_partitions(PARTITIONS_NAME) == ["2025", "2026"]
        # An earlier year delivered late takes its place before the later ones.
        register(instance, [2023])
        assert instance.get_dynamic_partitions(PARTITIONS_NAME) == ["2023", "2025", "2026"]
        register(instance, [2024, 2027])
        assert instance.get_dynamic_partitions(PARTITIONS_NAME) == [
            "2023",
            "2024",
            "2025",
            "2026",
            "2027",
        ]
