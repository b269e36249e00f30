"""The Dagster instance file `make` writes: it follows the code and the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orchestration.instance import write_instance_yaml


def test_the_file_is_written_once_and_again_only_when_the_storage_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "dagster" / "dagster.yaml"
    monkeypatch.delenv("DISTRICTWIDE_DAGSTER_STORAGE", raising=False)

    assert write_instance_yaml(path)
    sqlite = yaml.safe_load(path.read_text())
    assert sqlite["event_log_storage"]["class"] == "PooledSqliteEventLogStorage"
    assert "run_storage" not in sqlite  # Dagster's SQLite default under DAGSTER_HOME
    # The daemon queues loads one at a time (DuckDB has one writer) and fails dead runs.
    assert sqlite["concurrency"]["runs"]["max_concurrent_runs"] == 1
    assert sqlite["run_monitoring"]["enabled"] is True
    assert not write_instance_yaml(path)  # same text: left alone

    monkeypatch.setenv("DISTRICTWIDE_DAGSTER_STORAGE", "postgres")
    assert write_instance_yaml(path)
    postgres = yaml.safe_load(path.read_text())
    assert postgres["event_log_storage"]["class"] == "PooledPostgresEventLogStorage"
    assert postgres["run_storage"]["class"] == "PostgresRunStorage"
    assert postgres["concurrency"] == sqlite["concurrency"]
    # Credentials are named, never written.
    assert postgres["run_storage"]["config"]["postgres_db"]["password"] == {
        "env": "DAGSTER_PG_PASSWORD"
    }

    path.write_text("telemetry:\n  enabled: false\n")  # an older file, or a hand edit
    monkeypatch.delenv("DISTRICTWIDE_DAGSTER_STORAGE")
    assert write_instance_yaml(path)
    assert yaml.safe_load(path.read_text()) == sqlite


def test_an_unknown_storage_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sqlite or postgres"):
        write_instance_yaml(tmp_path / "dagster.yaml", "mysql")
