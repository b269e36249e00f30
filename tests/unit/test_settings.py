"""The one typed settings source: the district file's models, where the file is, the dbt vars,
and the environment read when asked."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import settings
from settings import (
    DOMAINS,
    ConfigError,
    MetricSettings,
    SisSettings,
    ensure_district_config,
    parse_config,
)
from settings.environment import EnvironmentSettings
from settings.identity import IdentitySettings

REPO = Path(__file__).resolve().parents[2]


def example() -> dict:
    return yaml.safe_load(settings.EXAMPLE_CONFIG.read_text(encoding="utf-8"))


def test_dbt_project_defaults_are_the_metric_settings_defaults() -> None:
    project = yaml.safe_load((REPO / "dbt_project" / "dbt_project.yml").read_text())
    assert project["vars"] == (
        MetricSettings().dbt_vars() | SisSettings().dbt_vars() | IdentitySettings().dbt_vars()
    )


def test_sis_id_fields_reach_dbt_and_a_typo_is_named() -> None:
    config = parse_config({**example(), "sis": {"local_id": "userIds:district"}})
    assert config.sis.dbt_vars() == {
        "sis_local_id": "userIds:district",
        "sis_state_id": "identifier",
    }
    with pytest.raises(ConfigError, match=r"sis.state_id: 'stateId' is not one of"):
        parse_config({**example(), "sis": {"state_id": "stateId"}})
    with pytest.raises(ConfigError, match=r"sis.local_id"):
        parse_config({**example(), "sis": {"local_id": "userIds:{bad}"}})


def test_metrics_reach_dbt_and_the_checks_from_one_place() -> None:
    data = {**example(), "metrics": {"min_cell_size": 5, "chronic_absence_min_days": 20}}
    config = parse_config(data)
    assert config.metrics.dbt_vars()["min_cell_size"] == 5
    assert config.quality.min_cell_size == 5
    with pytest.raises(ConfigError, match="quality.min_cell_size: set it under metrics"):
        parse_config({**example(), "quality": {"min_cell_size": 5}})
    with pytest.raises(ConfigError, match=r"metrics.chronic_absence_threshold"):
        parse_config({**example(), "metrics": {"chronic_absence_threshold": 2}})
    with pytest.raises(ConfigError, match=r"metrics: unknown key\(s\) \['min_cell'\]"):
        parse_config({**example(), "metrics": {"min_cell": 5}})


def test_the_config_folder_comes_first_and_is_created_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    explicit = tmp_path / "mine.yaml"
    explicit.write_text(settings.EXAMPLE_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    env = {"DISTRICTWIDE_HOME": str(home), "DISTRICTWIDE_CONFIG": str(explicit)}
    # A file named by DISTRICTWIDE_CONFIG is used, and nothing is created.
    assert ensure_district_config(home, env) == explicit.resolve()
    assert not (home / "config").exists()
    # A first run with none: the shipped example, copied into the config folder.
    created = ensure_district_config(home, {})
    assert created == (home / "config" / "district.yaml").resolve()
    assert created.read_bytes() == settings.EXAMPLE_CONFIG.read_bytes()
    assert settings.config_path(env) == created
    # Edited there, it is never overwritten.
    created.write_text("district: {name: Ours}\n", encoding="utf-8")
    assert ensure_district_config(home, {}) == created
    assert created.read_text(encoding="utf-8") == "district: {name: Ours}\n"


def test_the_domains_are_defined_once() -> None:
    from connectors.tables import SOURCES

    assert DOMAINS == ("sis", "attendance", "assessment")
    assert tuple(SOURCES) == DOMAINS
    assert tuple(parse_config(example()).domains) == DOMAINS


def test_environment_settings_are_read_when_asked() -> None:
    env = EnvironmentSettings.from_env(
        {"DISTRICTWIDE_TIMEZONE": "America/Chicago", "DISTRICTWIDE_SERVING": "", "OTHER": "x"}
    )
    assert env.timezone == "America/Chicago" and env.serving == "duckdb"
    with pytest.raises(ValueError, match="DISTRICTWIDE_SERVING"):
        EnvironmentSettings.from_env({"DISTRICTWIDE_SERVING": "oracle"})


def test_leading_zeros_setting_is_typed_per_source_or_global() -> None:
    assert IdentitySettings().dbt_vars() == {"strip_leading_zero_sources": []}
    every = IdentitySettings(student_id_strip_leading_zeros=True).dbt_vars()
    assert every["strip_leading_zero_sources"] == [
        "attendance",
        "benchmark",
        "map",
        "state_assessment",
    ]
    some = IdentitySettings(student_id_strip_leading_zeros=["state_assessment"])
    assert some.dbt_vars() == {"strip_leading_zero_sources": ["state_assessment"]}
    with pytest.raises(ValueError, match="attendance"):
        IdentitySettings(student_id_strip_leading_zeros=["sis"])


def test_program_subgroup_rule_is_any_day_or_as_of_a_month_and_day() -> None:
    assert MetricSettings().dbt_vars()["program_subgroup_rule"] == "any_day"
    october = MetricSettings(program_subgroup_rule="as_of", program_subgroup_as_of="10-01")
    assert october.dbt_vars()["program_subgroup_as_of"] == "10-01"
    for bad in (
        {"program_subgroup_rule": "some_days"},
        {"program_subgroup_rule": "as_of", "program_subgroup_as_of": "13-01"},
        {"program_subgroup_rule": "as_of", "program_subgroup_as_of": "02-29"},
        {"program_subgroup_rule": "as_of", "program_subgroup_as_of": "2026-10-01"},
        # a date without the rule that reads it is a mistake, not a no-op
        {"program_subgroup_as_of": "10-01"},
    ):
        with pytest.raises(ValueError):
            MetricSettings(**bad)
