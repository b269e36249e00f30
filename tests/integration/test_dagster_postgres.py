"""Dagster's run history in PostgreSQL, as a district running Dagster as a service keeps it."""

from __future__ import annotations

from pathlib import Path

import psycopg2
import pytest
from dagster import DagsterInstance, materialize

from connectors.tables import raw_table
from orchestration.defs.landing.assets import raw_tables_asset
from orchestration.instance import instance_yaml
from orchestration.instance.event_log import PooledPostgresEventLogStorage
from orchestration.resources import DistrictwideHome
from tests.conftest import require_service

pytestmark = pytest.mark.postgres

DATABASE = "districtwide_dagster_test"


@pytest.fixture
def pg_dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="test")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"drop database if exists {DATABASE}")
        cur.execute(f"create database {DATABASE}")
    admin.close()
    for name, value in {
        "DAGSTER_PG_HOST": "127.0.0.1",
        "DAGSTER_PG_PORT": "5432",
        "DAGSTER_PG_USER": "postgres",
        "DAGSTER_PG_PASSWORD": "",
        "DAGSTER_PG_DB": DATABASE,
    }.items():
        monkeypatch.setenv(name, value)
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text(instance_yaml("postgres"))
    return home


def test_a_landing_run_is_recorded_in_postgres(pg_dagster_home: Path, tmp_path: Path) -> None:
    orgs = raw_table("sis__orgs")
    landing = tmp_path / "data" / "landing" / "sis"
    landing.mkdir(parents=True)
    (landing / "orgs.csv").write_text(
        "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
        "D001,active,2026-06-18,Maple Valley,district,0350,\n"
    )
    instance = DagsterInstance.from_config(str(pg_dagster_home))
    assert isinstance(instance.event_log_storage, PooledPostgresEventLogStorage)
    try:
        result = materialize(
            [raw_tables_asset([orgs], name="land_orgs")],
            instance=instance,
            resources={"home": DistrictwideHome(root=str(tmp_path / "data"))},
        )
        assert result.success
        run_id = result.run_id
        assert instance.get_run_by_id(run_id).is_success
    finally:
        instance.dispose()
    con = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=DATABASE)
    with con, con.cursor() as cur:
        cur.execute("select status from runs where run_id = %s", (run_id,))
        assert cur.fetchone() == ("SUCCESS",)
        cur.execute(
            "select count(*) from event_logs where run_id = %s "
            "and dagster_event_type = 'ASSET_MATERIALIZATION'",
            (run_id,),
        )
        assert cur.fetchone()[0] == 2  # the rows and the rejects raw tables
    con.close()


def sessions(database: str) -> int:
    """Connections ever opened to `database` (PostgreSQL 14+ counts them as they close)."""
    con = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="test")
    con.autocommit = True  # a transaction would see one cached snapshot of the statistics
    try:
        with con.cursor() as cur:
            cur.execute("select sessions from pg_stat_database where datname = %s", (database,))
            return cur.fetchone()[0]
    finally:
        con.close()


def test_the_event_log_keeps_its_connection(pg_dagster_home: Path, tmp_path: Path) -> None:
    """Dagster's own PostgreSQL event log opens a connection per event; ours, through
    dagster-postgres's public optimize_for_webserver, keeps one (docs/UPGRADING.md)."""
    orgs = raw_table("sis__orgs")
    opened = {}
    for kind, yaml in {
        "plain": instance_yaml("postgres").replace(
            "module: orchestration.instance.event_log\n  class: PooledPostgresEventLogStorage",
            "module: dagster_postgres.event_log\n  class: PostgresEventLogStorage",
        ),
        "kept": instance_yaml("postgres"),
    }.items():
        (pg_dagster_home / "dagster.yaml").write_text(yaml)
        instance = DagsterInstance.from_config(str(pg_dagster_home))
        data = tmp_path / kind
        (data / "landing" / "sis").mkdir(parents=True)
        (data / "landing" / "sis" / "orgs.csv").write_text(
            "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
            "D001,active,2026-06-18,Maple Valley,district,0350,\n"
        )
        try:
            before = sessions(DATABASE)  # the instance's own start-up not counted
            events = len(
                instance.all_logs(
                    materialize(
                        [raw_tables_asset([orgs], name="land_orgs")],
                        instance=instance,
                        resources={"home": DistrictwideHome(root=str(data))},
                    ).run_id
                )
            )
        finally:
            instance.dispose()
        opened[kind] = sessions(DATABASE) - before
    assert events > 10
    # Dagster's opens one connection per event stored; the kept one none (the rest of either
    # count is the run storage, which opens one per call in both).
    assert opened["plain"] - opened["kept"] >= events, (opened, events)
