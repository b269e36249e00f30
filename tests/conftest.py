"""Shared fixtures: small generated districts, loaded once per session through Dagster."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from connectors import warehouse
from connectors.home import Home

REPO = Path(__file__).resolve().parents[1]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Longest work first; the shared district's modules on one worker (tests/fixtures/schedule)."""
    from tests.fixtures.schedule import make_scheduler

    return make_scheduler(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Warn when a module uses the shared district or Superset but schedule.py does not say so."""
    from tests.fixtures.schedule import unlisted_shared_modules

    unlisted = unlisted_shared_modules(items)
    if unlisted:
        config.issue_config_time_warning(
            pytest.PytestWarning(
                f"add {', '.join(unlisted)} to SHARED_MODULES in tests/fixtures/schedule.py: "
                "under make test its worker would build the shared district or Superset again"
            ),
            stacklevel=2,
        )


@dataclass
class District:
    """A generated district after a consolidated load: its data folder and its ground truth."""

    home: Home
    counts: dict

    @property
    def truth(self) -> Path:
        return self.home.root / "truth"

    def warehouse(self) -> duckdb.DuckDBPyConnection:
        return warehouse.connect(self.home.warehouse)

    def scalar(self, sql: str) -> object:
        with self.warehouse() as con:
            return con.execute(sql).fetchone()[0]


def generate(root: Path, students: int, seed: int, *extra: str) -> None:
    cmd = [sys.executable, "-m", "synthetic", "--students", str(students)]
    cmd += ["--seed", str(seed), "--out", str(root), *extra]
    subprocess.run(cmd, check=True, cwd=REPO)


def run_load(home: Home):
    """The consolidated_load job, in process, against `home` (an ephemeral Dagster instance).

    The job's resources read DISTRICTWIDE_HOME when the run starts (`EnvVar`): it is set for the
    run only, and the environment is as it was afterwards.
    """
    from dagster import DagsterInstance

    from devtools.demo import run_consolidated_load

    with pytest.MonkeyPatch.context() as env:
        env.setenv("DISTRICTWIDE_HOME", str(home.root))
        return run_consolidated_load(DagsterInstance.ephemeral())


@pytest.fixture(scope="session")
def district(tmp_path_factory: pytest.TempPathFactory) -> District:
    """A 1,500-student district with the generator's default faults, loaded once."""
    root = tmp_path_factory.mktemp("district")
    generate(root, 1500, 7)
    home = Home(root).ensure()
    result = run_load(home)
    assert result.success, "consolidated_load failed"
    counts = json.loads((root / "truth" / "counts.json").read_text())
    return District(home, counts)


# How to start a service the tests need (README, "Set up and try it").
START = {
    "PostgreSQL": "sudo apt-get install -y --no-install-recommends postgresql && "
    "sudo service postgresql start (user postgres, trust on loopback, a database test)",
    "MariaDB": "sudo apt-get install -y --no-install-recommends mariadb-server && "
    "sudo service mariadb start (user root with no password on loopback, a database test)",
}


def require_service(name: str, host: str, port: int) -> None:
    """Fail in CI, skip elsewhere, when a real service the test needs is not reachable."""
    import socket

    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as exc:
        how = START.get(name, 'see the README, "Set up and try it"')
        message = f"{name} is not reachable on {host}:{port} ({exc}); start it: {how}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must provide it")
        pytest.skip(message)
