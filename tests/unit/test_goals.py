"""Improvement-plan goals: the config file's `goals:` list, validated, and its raw Parquet."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from connectors.home import Home
from settings import EXAMPLE_CONFIG, ConfigError, load_config, parse_config
from settings.goals import goals_path, write_goals

GOAL = {
    "name": "Fewer chronically absent students",
    "metric": "chronic_absence_rate",
    "scope": "district",
    "baseline_year": 2025,
    "baseline_value": 0.18,
    "target_year": 2028,
    "target_value": 0.12,
}


def _config(*goals: dict) -> dict:
    """The example config file with `goals` instead of its own."""
    data = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    return {**data, "goals": list(goals)}


def test_the_example_config_declares_goals() -> None:
    goals = load_config(EXAMPLE_CONFIG).goals
    assert [g.metric for g in goals] == ["chronic_absence_rate", "proficiency_rate"]
    assert goals[1].subgroup == "Low income" and goals[1].subject == "Mathematics"


def test_a_config_without_goals_has_none() -> None:
    data = _config()
    del data["goals"]
    assert parse_config(data).goals == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"goal": "x"}, "unknown key"),
        ({"metric": "graduation_rate"}, "is not one of"),
        ({"target_year": 2024}, "target_year must come after baseline_year"),
        ({"target_value": 12}, "share between 0 and 1"),
        ({"subject": "Mathematics"}, "only proficiency_rate goals have a subject"),
        ({"metric": "proficiency_rate"}, "proficiency_rate needs one of"),
        ({"baseline_year": None}, "missing key"),
    ],
)
def test_an_invalid_goal_fails_loudly(change: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(_config({**GOAL, **change}), "district.yaml")


def test_goal_names_are_unique() -> None:
    with pytest.raises(ConfigError, match="duplicate name"):
        parse_config(_config(GOAL, GOAL))


def test_goals_are_written_as_parquet_and_rewritten(tmp_path: Path) -> None:
    home = Home(tmp_path).ensure()
    goals = parse_config(_config(GOAL, {**GOAL, "name": "Two", "scope": "SCH01"})).goals
    path = write_goals(home, goals)
    assert path == goals_path(home)
    columns = ["goal_name", "scope", "baseline_year", "target_value"]
    table = pq.read_table(path, columns=columns).to_pydict()
    assert list(zip(*table.values(), strict=True)) == [
        ("Fewer chronically absent students", "district", 2025, 0.12),
        ("Two", "SCH01", 2025, 0.12),
    ]
    write_goals(home, ())
    assert pq.read_metadata(path).num_rows == 0
