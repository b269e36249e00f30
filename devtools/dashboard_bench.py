"""The dashboards' query times for `make bench`: every chart's data request, timed on a real
Superset over the served marts the bench load just published.

A Superset started for the bench (its own home under the bench's data folder, a free loopback
port, the Superset venv of the checkout) gets the dashboards published, then each chart's saved
query is posted to `POST /api/v1/chart/data` with `force` (no cache: the query reaches DuckDB
every time), `rounds` times over, one chart after another as a dashboard load would. A saved
query is what the dashboard page posts when it opens: for a table paged on the server
(dashboards/specs.py, Superset's table plugin) its first page and its row count, two queries in
one request; a download or a later page is another request, not timed here. The p95 is
over every request; a chart's own p95 names the slowest chart. Beside the wall time, the CPU the
server's processes spent on each request (gunicorn and its workers, DuckDB's threads included;
from /proc, in clock ticks) says what a request costs when other work shares the cores. The step
is skipped, not failed, when the Superset venv is not installed (`make superset-install`).
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dashboards.client import SupersetClient
from dashboards.publish import publish_dashboards
from dashboards.specs import load_specs
from devtools.superset_server import SupersetSettings, start

log = logging.getLogger(__name__)

#: The target for one chart's data request at 100,000 students on 2 cores (issue 20).
TARGET_P95_MS = 200.0


@dataclass(frozen=True)
class ChartTimes:
    """Milliseconds of every data request, over every chart of every dashboard."""

    charts: int
    requests: int
    p95_ms: float
    median_ms: float
    slowest_chart: str
    slowest_chart_p95_ms: float
    # The server's CPU per request (None where /proc cannot be read).
    cpu_p95_ms: float | None = None
    cpu_median_ms: float | None = None

    def line(self) -> str:
        cpu = (
            f"; server CPU per request p95 {self.cpu_p95_ms:.0f} ms, "
            f"median {self.cpu_median_ms:.0f} ms"
            if self.cpu_p95_ms is not None and self.cpu_median_ms is not None
            else ""
        )
        return (
            f"dashboard chart data: {self.requests} requests over {self.charts} charts, "
            f"p95 {self.p95_ms:.0f} ms, median {self.median_ms:.0f} ms; slowest chart "
            f"{self.slowest_chart!r} p95 {self.slowest_chart_p95_ms:.0f} ms{cpu} "
            f"(target p95 <= {TARGET_P95_MS:.0f} ms)"
        )


def p95(values: list[float]) -> float:
    """The 95th percentile (inclusive method: a value between two measured ones)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def process_group_cpu_ms(group: int) -> float | None:
    """CPU milliseconds (user and system) spent so far by the live processes of process group
    `group` (the Superset server starts in a session of its own); None without /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, pgrp, ... utime (12th), stime (13th).
        if int(fields[2]) == group:
            total += int(fields[11]) + int(fields[12])
    return total * 1000 / ticks


def superset_installed(settings: SupersetSettings | None = None) -> bool:
    settings = settings or SupersetSettings()
    return settings.bin("superset").exists() and settings.bin("gunicorn").exists()


def time_chart_queries(
    client: SupersetClient,
    chart_ids: dict[str, int],
    rounds: int = 5,
    server_cpu_ms: Callable[[], float | None] | None = None,
) -> ChartTimes:
    """Post each chart's saved query `rounds` times (after one warm-up each); milliseconds, and
    the server's CPU per request when `server_cpu_ms` reads it."""
    specs = load_specs()
    per_chart: dict[str, list[float]] = {}
    cpu: list[float] = []
    contexts = {}
    for chart in specs.charts:
        saved = client.request("GET", f"/api/v1/chart/{chart_ids[chart.title]}", chart.title)
        contexts[chart.title] = saved["result"]["query_context"]
        client.chart_data_query(contexts[chart.title], chart.title)  # warm-up: worker, connection
    for _ in range(rounds):
        for title, context in contexts.items():
            cpu_before = server_cpu_ms() if server_cpu_ms else None
            started = time.perf_counter()
            client.chart_data_query(context, title)
            per_chart.setdefault(title, []).append((time.perf_counter() - started) * 1000)
            cpu_after = server_cpu_ms() if server_cpu_ms else None
            if cpu_before is not None and cpu_after is not None:
                cpu.append(cpu_after - cpu_before)
    every = [ms for times in per_chart.values() for ms in times]
    slowest = max(per_chart, key=lambda title: p95(per_chart[title]))
    return ChartTimes(
        charts=len(per_chart),
        requests=len(every),
        p95_ms=p95(every),
        median_ms=statistics.median(every),
        slowest_chart=slowest,
        slowest_chart_p95_ms=p95(per_chart[slowest]),
        cpu_p95_ms=p95(cpu) if cpu else None,
        cpu_median_ms=statistics.median(cpu) if cpu else None,
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(served: Path, home: Path, rounds: int = 5) -> ChartTimes | None:
    """Start a Superset for the bench, publish over `served`, time every chart; None when the
    Superset venv is not installed."""
    settings = SupersetSettings(home=home, port=_free_port(), workers=1, threads=4)
    if not superset_installed(settings):
        log.warning("no Superset venv at %s: dashboard query times not measured", settings.venv)
        return None
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    with start(settings) as server:
        client = SupersetClient(server.base_url, server.admin_user, server.admin_password).login()
        published = publish_dashboards(client, served)
        return time_chart_queries(
            client, published.charts, rounds, lambda: process_group_cpu_ms(server.pid)
        )
