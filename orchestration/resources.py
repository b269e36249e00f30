"""Dagster resources: the data folder, dbt and Superset, configured by environment."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster import ConfigurableResource, EnvVar
from dagster_dbt import DbtCliResource
from packaging import version

from connectors.home import Home
from dashboards.client import SupersetClient
from orchestration.dbt_project import DBT_PROJECT

# The dbt of this virtual environment, whatever PATH says (cron and the UI start without it).
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))


class DistrictwideHome(ConfigurableResource):
    """The data folder every asset reads and writes (`$DISTRICTWIDE_HOME`)."""

    root: str

    def layout(self) -> Home:
        return Home(Path(self.root).resolve()).ensure()


class DistrictwideDbt(DbtCliResource):
    """dagster-dbt's dbt CLI without its two start-up costs this project never uses.

    Before it starts dbt, `DbtCliResource.cli` runs `dbt --version` in a subprocess (to tell dbt
    Core from Fusion) and builds a dbt adapter in this process (loading dbt and every macro), used
    only by `fetch_row_counts` / `fetch_column_metadata`. Both cost 5-10 s a load at 100,000
    students on two cores. The executable is this virtual environment's dbt-core, so its version
    is the installed package's; with no adapter, dagster-dbt streams the events as dbt emits them.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        del args
        return None


def build_resources() -> dict[str, object]:
    """The resources of the code location; everything comes from the environment."""
    return {
        "home": DistrictwideHome(root=EnvVar("DISTRICTWIDE_HOME")),
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


class SupersetResource(ConfigurableResource):
    """The Superset server the dashboards are published to, and the admin login publishing uses."""

    url: str
    username: str
    password: str

    def client(self) -> SupersetClient:
        return SupersetClient(self.url, self.username, self.password).login()
