"""Every DuckDB a load opens takes the district's memory cap and spill folder from one place
(`EnvironmentSettings.duckdb_config`): dbt's profile spells the same defaults
(tests/integration/test_duckdb_settings.py: the landing database is opened with them)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from dbt.config.renderer import ProfileRenderer
from dbt_common.context import set_invocation_context

from settings.environment import EnvironmentSettings

PROFILES = Path(__file__).resolve().parents[2] / "dbt_project" / "profiles.yml"


def dbt_duckdb_options(env: dict[str, str]) -> dict[str, str]:
    """The DuckDB config_options of dbt's profile, rendered by dbt with `env` as the environment."""
    set_invocation_context(env)
    outputs = yaml.safe_load(PROFILES.read_text())["districtwide"]["outputs"]
    return ProfileRenderer({}).render_data(outputs["duckdb"]["config_options"])


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"DISTRICTWIDE_DUCKDB_MEMORY": "3GB", "DISTRICTWIDE_DUCKDB_TEMP": "fast/spill"},
        {"DISTRICTWIDE_DUCKDB_TEMP": ""},  # empty means unset, for both
    ],
)
def test_dbt_profile_and_settings_agree(tmp_path: Path, extra: dict[str, str]) -> None:
    env = {"DISTRICTWIDE_HOME": str(tmp_path), **extra}
    if extra.get("DISTRICTWIDE_DUCKDB_TEMP"):
        env["DISTRICTWIDE_DUCKDB_TEMP"] = str(tmp_path / extra["DISTRICTWIDE_DUCKDB_TEMP"])
    settings = EnvironmentSettings.from_env(env).duckdb_config()
    rendered = dbt_duckdb_options(env)
    assert {k: rendered[k] for k in settings} == settings
    if not extra.get("DISTRICTWIDE_DUCKDB_TEMP"):
        assert settings["temp_directory"] == str(tmp_path / "work" / "duckdb_spill")
    # Created with its parents: DuckDB makes only the last level when it first spills.
    assert Path(settings["temp_directory"]).is_dir()
