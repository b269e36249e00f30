"""Superset's tuning (dashboards/superset/districtwide_superset.py) on a real Superset: a worker
keeps the served DuckDB file open and still answers from the new file as soon as publishing swaps
it, also while queries run during the swaps; chart data requests write no rows to the metadata
database, their events go to the server log.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import duckdb
import pytest

from dashboards.client import SupersetClient
from devtools.superset_server import SupersetProcess
from serving.served import DuckDBServed

pytestmark = pytest.mark.superset


def serve(path: Path, version: int) -> None:
    """Publish the way the pipeline does: a new file, checkpointed, closed, renamed onto `path`."""
    tmp = path.with_name(f".{path.stem}.building.duckdb")
    tmp.unlink(missing_ok=True)
    with duckdb.connect(str(tmp)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.published as select ? as version, range as n from range(1000)",
            [version],
        )
        con.execute("checkpoint")
    os.replace(tmp, path)


def versions(client: SupersetClient, dataset_id: int) -> set[int]:
    """The versions the chart data API reads now (uncached)."""
    context = {
        "datasource": {"id": dataset_id, "type": "table"},
        "queries": [{"columns": ["version"], "row_limit": 10_000, "orderby": []}],
        "result_format": "json",
        "result_type": "full",
    }
    return {row["version"] for row in client.chart_data_query(context, "versions")}


def log_rows(superset: SupersetProcess) -> int:
    with sqlite3.connect(superset.home / "superset_meta.db") as con:
        return con.execute("select count(*) from logs").fetchone()[0]


@pytest.fixture(scope="module")
def published(superset: SupersetProcess, tmp_path_factory) -> tuple[SupersetClient, int, Path]:
    path = tmp_path_factory.mktemp("tuning") / "served.duckdb"
    serve(path, 1)
    client = SupersetClient(superset.base_url, superset.admin_user, superset.admin_password)
    client.login()
    served = DuckDBServed(path)
    database = client.request(
        "POST",
        "/api/v1/database/",
        "tuning database",
        json={
            "database_name": "tuning swap",
            "sqlalchemy_uri": served.sqlalchemy_uri(),
            "extra": served.extra(),
        },
    )["id"]
    dataset = client.request(
        "POST",
        "/api/v1/dataset/",
        "tuning dataset",
        json={"database": database, "schema": "marts", "table_name": "published"},
    )["id"]
    return client, dataset, path


def reopened(superset: SupersetProcess, path: Path) -> int:
    """How often the worker noticed a new file at `path` and opened it (its log says so)."""
    text = superset.settings.server_log.read_text(errors="replace")
    return text.count(f"the served file {path} was replaced")


def test_each_swap_of_the_served_file_is_seen_by_the_next_query(superset, published):
    client, dataset, path = published
    assert versions(client, dataset) == {1}
    before = reopened(superset, path)
    for version in (2, 3, 4):
        serve(path, version)
        assert versions(client, dataset) == {version}
        assert versions(client, dataset) == {version}
    # The file was held open between queries: each swap, not each query, opened it again.
    assert reopened(superset, path) == before + 3


def test_queries_during_swaps_never_fail_and_end_on_the_last_file(superset, published):
    """Four readers (the worker's four threads) query without pause while the file is swapped
    ten times: each answer is one whole file's version, and after the last swap, the last."""
    client, dataset, path = published
    answers: list[set[int]] = []
    errors: list[str] = []
    done = threading.Event()

    def read() -> None:
        reader = SupersetClient(
            superset.base_url, superset.admin_user, superset.admin_password
        ).login()
        while not done.is_set():
            try:
                answers.append(versions(reader, dataset))
            except Exception as exc:  # noqa: BLE001 - every failure is the finding
                errors.append(repr(exc))

    threads = [threading.Thread(target=read, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for version in range(10, 20):
            serve(path, version)
            threading.Event().wait(0.3)
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors[:3]
    assert len(answers) >= 10
    assert all(len(answer) == 1 and answer <= set(range(1, 20)) for answer in answers)
    assert versions(client, dataset) == {19}


def test_chart_data_events_go_to_the_server_log_not_the_metadata_db(superset, published):
    client, dataset, _ = published
    before_rows = log_rows(superset)
    log_before = superset.settings.server_log.read_text(errors="replace").count(
        "ChartDataRestApi.data"
    )
    for _ in range(3):
        versions(client, dataset)
    assert log_rows(superset) == before_rows
    logged = superset.settings.server_log.read_text(errors="replace").count("ChartDataRestApi.data")
    assert logged >= log_before + 3
