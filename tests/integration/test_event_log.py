"""The run history in the instance `make` configures: events kept through open connections."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetKey, DagsterEventType, DagsterInstance, materialize
from dagster._core.storage.event_log import SqliteEventLogStorage

from connectors.tables import raw_table
from orchestration.defs.landing.assets import raw_tables_asset
from orchestration.instance import instance_yaml
from orchestration.instance.event_log import KEPT_SQLITE_DATABASES, PooledSqliteEventLogStorage
from orchestration.resources import DistrictwideHome

ORGS_CSV = (
    "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
    "D001,active,2026-06-18,Maple Valley,district,0350,\n"
)


def land_orgs(instance: DagsterInstance, data: Path, version: int) -> str:
    """Land one orgs file (a new one each call, so each run materializes) and return the run."""
    landing = data / "landing" / "sis"
    landing.mkdir(parents=True, exist_ok=True)
    school = f"S{version:03},active,2026-06-18,S,school,1,D001\n"
    (landing / "orgs.csv").write_text(ORGS_CSV + school)
    orgs = raw_table("sis__orgs")
    result = materialize(
        [raw_tables_asset([orgs], name="land_orgs")],
        instance=instance,
        resources={"home": DistrictwideHome(root=str(data))},
    )
    assert result.success
    return result.run_id


def materializations(instance: DagsterInstance) -> list[str]:
    records = instance.fetch_materializations(AssetKey(["raw", "sis", "orgs"]), limit=100).records
    return [record.event_log_entry.run_id for record in records]


def test_runs_are_kept_in_sqlite_and_read_by_dagsters_own_storage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "dagster"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    (home / "dagster.yaml").write_text(instance_yaml("sqlite"))
    instance = DagsterInstance.get()
    storage = instance.event_log_storage
    assert isinstance(storage, PooledSqliteEventLogStorage)
    runs = [land_orgs(instance, tmp_path / "data", n) for n in range(KEPT_SQLITE_DATABASES + 2)]
    # The index and the latest runs' databases stay open; older ones are closed.
    assert len(storage._engines) == KEPT_SQLITE_DATABASES
    assert "index" in storage._engines and runs[-1] in storage._engines
    assert runs[0] not in storage._engines
    assert sorted(materializations(instance)) == sorted(runs)
    instance.dispose()
    assert not storage._engines

    # What a Dagster process with the default configuration (the UI of an older data folder)
    # reads from the same files: every run and its events.
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    plain = DagsterInstance.get()
    try:
        assert type(plain.event_log_storage).__name__ == "SqliteEventLogStorage"
        assert sorted(materializations(plain)) == sorted(runs)
        for run_id in runs:
            assert plain.get_run_by_id(run_id).is_success
            events = plain.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)
            assert len(events) == 2  # the rows and the rejects raw tables
    finally:
        plain.dispose()


def test_events_are_committed_without_a_sync_each_and_tables_looked_up_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "dagster"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    (home / "dagster.yaml").write_text(instance_yaml("sqlite"))
    looked_up: list[str] = []
    dagsters = SqliteEventLogStorage.has_table

    def counted(self: SqliteEventLogStorage, table_name: str) -> bool:
        looked_up.append(table_name)
        return dagsters(self, table_name)

    monkeypatch.setattr(SqliteEventLogStorage, "has_table", counted)
    instance = DagsterInstance.get()
    try:
        runs = [land_orgs(instance, tmp_path / "data", n) for n in range(2)]
        storage = instance.event_log_storage
        for shard in ("index", runs[-1]):
            with storage._engines[shard].connect() as conn:
                # WAL (Dagster's) with NORMAL sync (1): the log is synced at checkpoints.
                assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("pragma synchronous").scalar() == 1
        # Two runs store a dozen asset and check events: each table was looked up once.
        assert looked_up and len(looked_up) == len(set(looked_up))
        assert storage.has_table("asset_event_tags")
        assert sorted(materializations(instance)) == sorted(runs)
    finally:
        instance.dispose()
