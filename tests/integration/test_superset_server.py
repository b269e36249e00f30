"""A real Superset: started, refused twice on one home, stopped; a real dashboard photographed.

The screenshot fixture posts raw chart params through the dashboards client (dashboards/client.py).
"""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import requests

from dashboards.client import SupersetClient
from dashboards.publish import position
from dashboards.specs import Chart, Dashboard
from devtools.screenshot import ScreenshotError, login_session, screenshot_dashboard
from devtools.superset_server import (
    SupersetAlreadyRunning,
    SupersetError,
    SupersetProcess,
    attach,
    is_running,
    start,
)
from serving.served import DuckDBServed
from tests.integration.conftest import REPO, clone_home, superset_settings

pytestmark = pytest.mark.superset


def _gone(pid: int, timeout: float = 10) -> bool:
    """True once no process of the group `pid` is left."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def _cli(settings, command: str) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "districtwide", "superset", command]
    args += ["--home", str(settings.home), "--port", str(settings.port), "--workers", "1"]
    args += ["--venv", str(settings.venv)]
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=300, check=False)


def test_shared_server_is_healthy(superset: SupersetProcess) -> None:
    response = requests.get(f"{superset.base_url}/health", timeout=10)
    assert response.status_code == 200 and response.text == "OK"
    assert is_running(superset.settings)
    assert superset.settings.pid_file.read_text().split() == [str(superset.pid), superset.base_url]
    config = superset.settings.config_path
    assert oct(config.stat().st_mode & 0o777) == "0o600"
    assert oct(superset.settings.secret_key_file.stat().st_mode & 0o777) == "0o600"
    assert "TALISMAN_ENABLED = False" in config.read_text()


def test_cli_start_refuses_a_second_server_and_stops(superset_template: Path, tmp_path) -> None:
    settings = superset_settings(clone_home(superset_template, tmp_path / "superset"))

    first = _cli(settings, "start")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == settings.base_url
    server = attach(settings)
    assert server is not None and is_running(settings)
    try:
        # Same home, same port: the CLI reuses the running server (make dashboards twice).
        again = _cli(settings, "start")
        assert again.returncode == 0 and again.stdout.strip() == settings.base_url
        assert "already running" in again.stderr
        assert attach(settings).pid == server.pid
        # Same home, another port: the library refuses (two servers on one metadata DB) and
        # the CLI answers with the running server's URL.
        other = superset_settings(settings.home)
        with pytest.raises(SupersetAlreadyRunning) as refused:
            start(other)
        assert (refused.value.pid, refused.value.base_url) == (server.pid, settings.base_url)
        assert _cli(other, "start").stdout.strip() == settings.base_url
        assert attach(other).base_url == settings.base_url
        assert _cli(settings, "status").returncode == 0
    finally:
        stopped = _cli(settings, "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert _gone(server.pid), "gunicorn master or a worker outlived stop"
    assert not settings.pid_file.exists()
    assert not is_running(settings)
    assert _cli(settings, "status").returncode == 3


def test_start_refuses_a_busy_port(superset_template: Path, tmp_path) -> None:
    settings = superset_settings(clone_home(superset_template, tmp_path / "superset"))
    with socket.socket() as busy:
        busy.bind((settings.host, settings.port))
        busy.listen()
        with pytest.raises(SupersetError, match="already in use"):
            start(settings)


def test_start_failure_quotes_the_log(superset_template: Path, tmp_path) -> None:
    """A server that dies while starting raises at once with the end of its log."""
    settings = superset_settings(clone_home(superset_template, tmp_path / "superset"), workers=-1)
    with pytest.raises(SupersetError, match="exited while starting") as failed:
        start(settings, timeout=120)
    assert "Error" in str(failed.value) or "error" in str(failed.value)
    assert not settings.pid_file.exists()


# --- screenshot: a tiny dashboard built with plain REST calls -------------------------------


class Api:
    """The dashboards client for a fixture whose charts are given as raw Superset params."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.client = SupersetClient(base_url, username, password).login()
        self.names: dict[int, str] = {}

    def post(self, path: str, body: dict) -> int:
        return int(
            self.client.request("POST", f"/api/v1/{path}/", f"fixture {path}", json=body)["id"]
        )

    def chart(self, name: str, viz: str, dataset: int, params: dict) -> int:
        form = {"datasource": f"{dataset}__table", "viz_type": viz, "row_limit": 100, **params}
        body = {
            "slice_name": name,
            "viz_type": viz,
            "datasource_id": dataset,
            "datasource_type": "table",
            "params": json.dumps(form),
        }
        chart = self.post("chart", body)
        self.names[chart] = name
        return chart

    def dashboard(self, title: str, slug: str, charts: list[int]) -> int:
        """Two charts a row, laid out by the publisher's own position tree."""
        specs = tuple(Chart(title=self.names[c], kind="bar", dataset="fixture") for c in charts)
        layout = position(Dashboard(slug, title, specs), {self.names[c]: c for c in charts})
        body = {
            "dashboard_title": title,
            "slug": slug,
            "published": True,
            "position_json": json.dumps(layout),
            "json_metadata": json.dumps({}),
        }
        dashboard = self.post("dashboard", body)
        for chart in charts:
            self.client.request(
                "PUT", f"/api/v1/chart/{chart}", "fixture chart", json={"dashboards": [dashboard]}
            )
        return dashboard


def _serve(path: Path, with_retired: bool) -> None:
    """Build the served file the way the pipeline does: new file, checkpoint, close, rename."""
    tmp = path.with_name(f".{path.stem}.building.duckdb")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    con.execute("create schema marts")
    con.execute(
        "create table marts.attendance_by_month as select * from (values "
        "('North', date '2026-09-01', 0.95), ('North', date '2026-10-01', 0.93), "
        "('South', date '2026-09-01', 0.91), ('South', date '2026-10-01', 0.89)) "
        "as t(school, month, attendance_rate)"
    )
    if with_retired:
        con.execute("create table marts.retired as select 'North' as school, 1 as students")
    con.execute("checkpoint")
    con.close()
    os.replace(tmp, path)


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


@pytest.mark.chromium
def test_screenshot_counts_charts_with_data_and_errors(
    superset: SupersetProcess, chromium, tmp_path: Path
) -> None:
    # The catalog is named after the file: a file called marts.duckdb would make `marts` ambiguous.
    served = tmp_path / "screenshot_fixture.duckdb"
    _serve(served, with_retired=True)
    api = Api(superset.base_url, superset.admin_user, superset.admin_password)
    source = DuckDBServed(served)
    database = api.post(
        "database",
        {
            "database_name": "screenshot fixture",
            "sqlalchemy_uri": source.sqlalchemy_uri(),
            "extra": source.extra(),
        },
    )
    table = {"database": database, "schema": "marts"}
    attendance = api.post("dataset", {**table, "table_name": "attendance_by_month"})
    retired = api.post("dataset", {**table, "table_name": "retired"})
    rate = {
        "expressionType": "SIMPLE",
        "column": {"column_name": "attendance_rate"},
        "aggregate": "AVG",
        "label": "attendance",
    }
    by_school = {"query_mode": "aggregate", "groupby": ["school"], "metrics": [rate]}
    good = [
        api.chart("Attendance by school", "table", attendance, by_school),
        api.chart("Attendance share", "pie", attendance, {"groupby": ["school"], "metric": rate}),
    ]
    nowhere = [{"expressionType": "SQL", "clause": "WHERE", "sqlExpression": "school = 'None'"}]
    bad = [
        api.chart("Retired table", "table", retired, {**by_school, "metrics": ["count"]}),
        api.chart("Nobody", "table", attendance, {**by_school, "adhoc_filters": nowhere}),
        api.chart("Attendance by school, again", "table", attendance, by_school),
    ]
    api.dashboard("Screenshot good", "screenshot-good", good)
    api.dashboard("Screenshot broken", "screenshot-broken", bad)
    # The next load drops a table a dataset still points at.
    _serve(served, with_retired=False)

    user, password = superset.admin_user, superset.admin_password
    shot = screenshot_dashboard(
        superset.base_url, "screenshot-good", user, password, tmp_path / "good.png"
    )
    assert (shot.charts, shot.charts_with_data, shot.errors, shot.empty) == (2, 2, 0, 0)
    assert shot.ok
    assert {s.viz_type for s in shot.chart_states} == {"table", "pie"}
    width, height = _png_size(shot.path)
    assert width >= 1000 and height >= 500

    broken = screenshot_dashboard(
        superset.base_url, "screenshot-broken", user, password, tmp_path / "broken.png"
    )
    assert (broken.charts, broken.charts_with_data, broken.errors, broken.empty) == (3, 1, 1, 1)
    assert not broken.ok
    states = {s.name: s.state for s in broken.chart_states}
    assert states == {
        "Retired table": "error",
        "Nobody": "empty",
        "Attendance by school, again": "data",
    }
    assert _png_size(broken.path)[1] >= 500


def test_screenshot_login_failure_is_clear(superset: SupersetProcess) -> None:
    with pytest.raises(ScreenshotError, match="login failed"):
        login_session(superset.base_url, superset.admin_user, "not-the-password")
    assert login_session(superset.base_url, superset.admin_user, superset.admin_password)


@pytest.mark.chromium
def test_screenshot_of_a_missing_or_empty_dashboard(
    superset: SupersetProcess, chromium, tmp_path: Path
) -> None:
    user, password = superset.admin_user, superset.admin_password
    started = time.monotonic()
    with pytest.raises(ScreenshotError, match="404"):
        screenshot_dashboard(superset.base_url, "no-such-slug", user, password, tmp_path / "x.png")
    assert time.monotonic() - started < 60, "a 404 must not wait out the timeout"

    api = Api(superset.base_url, user, password)
    api.post("dashboard", {"dashboard_title": "Nothing yet", "slug": "screenshot-empty"})
    shot = screenshot_dashboard(
        superset.base_url, "screenshot-empty", user, password, tmp_path / "empty.png"
    )
    assert (shot.charts, shot.charts_with_data, shot.ok) == (0, 0, False)
