"""Dagster resources: the data folder, dbt and Superset, configured by environment.

Values that are secret or differ by machine come through `EnvVar`, resolved when a run needs
them; the rest from `settings.environment.EnvironmentSettings`, read when the definitions load.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dagster import ConfigurableResource, EnvVar, InitResourceContext
from pydantic import PrivateAttr

from connectors import datalock, single_writer
from connectors.home import Home
from connectors.landing import clean_leftovers
from dashboards.client import SupersetClient
from orchestration.defs.dbt.project import DBT_PROJECT
from orchestration.defs.dbt.runner import DistrictwideDbt
from settings.environment import EnvironmentSettings

# Jobs that write the working warehouse: one at a time (`connectors.single_writer`).
LOAD_JOBS = frozenset({"consolidated_load"})

# The dbt of this virtual environment, whatever PATH says (cron and the UI start without it).
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))


class DistrictwideHome(ConfigurableResource):
    """The data folder every asset reads and writes (`$DISTRICTWIDE_HOME`), and the memory cap
    of the DuckDBs a run opens (`$DISTRICTWIDE_DUCKDB_MEMORY`) and their spill folder
    (`$DISTRICTWIDE_DUCKDB_TEMP`; empty: work/duckdb_spill in the data folder)."""

    root: str
    duckdb_memory: str = "1250MB"
    duckdb_temp: str = ""
    _lock: int | None = PrivateAttr(default=None)
    _load_lock: int | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """A run holds the data folder's lock, shared, while it runs (`connectors.datalock`):
        a backup waits for it, and it waits for a backup. A run alone with the folder first
        deletes what a killed run left half-written. A consolidated load also holds the load
        lock first (`connectors.single_writer`): a second load, even one started by
        `districtwide load` outside Dagster's run queue, waits for it. Sensors (no run) take
        neither."""
        run = context.dagster_run
        if run is None:
            return
        home = Home(Path(self.root).resolve())
        if run.job_name in LOAD_JOBS:
            self._load_lock = single_writer.hold_load(home.root, run.run_id)
        self._lock = datalock.acquire_shared_tidying(home.root, lambda: clean_leftovers(home))

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._lock is not None:
            datalock.release(self._lock)
            self._lock = None
        if self._load_lock is not None:
            single_writer.release_load(self._load_lock)
            self._load_lock = None

    def layout(self) -> Home:
        return Home(Path(self.root).resolve()).ensure()

    def duckdb_config(self) -> dict[str, str]:
        """Memory cap and spill folder of a DuckDB the run opens (EnvironmentSettings')."""
        return EnvironmentSettings(
            home=Path(self.root).resolve(),
            duckdb_memory=self.duckdb_memory,
            duckdb_temp=Path(self.duckdb_temp) if self.duckdb_temp else None,
        ).duckdb_config()


class SupersetResource(ConfigurableResource):
    """The Superset server the dashboards are published to, and the admin login publishing uses."""

    url: str
    username: str
    password: str

    def client(self) -> SupersetClient:
        return SupersetClient(self.url, self.username, self.password).login()


def build_resources(env: EnvironmentSettings | None = None) -> dict[str, object]:
    """The resources of the code location, from the environment."""
    env = env or EnvironmentSettings.from_env()
    return {
        "home": DistrictwideHome(
            root=EnvVar("DISTRICTWIDE_HOME"),
            duckdb_memory=env.duckdb_memory,
            duckdb_temp=str(env.duckdb_temp or ""),
        ),
        # dbt's file log at its default (debug) level holds every statement and event of the
        # build: 15-20% of dbt's CPU for 190 nodes. Dagster keeps the info events; the file keeps
        # warnings and errors.
        "dbt": DistrictwideDbt(
            project_dir=DBT_PROJECT,
            dbt_executable=DBT_EXECUTABLE,
            global_config_flags=["--log-level-file", "warn"],
        ),
        "superset": SupersetResource(
            url=EnvVar("DISTRICTWIDE_SUPERSET_URL"),
            username=EnvVar("DISTRICTWIDE_SUPERSET_ADMIN_USER"),
            password=EnvVar("DISTRICTWIDE_SUPERSET_ADMIN_PASSWORD"),
        ),
    }
