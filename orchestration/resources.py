"""Dagster resources: the data folder, dbt and Superset, configured by environment."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster import ConfigurableResource, EnvVar
from dagster_dbt import DbtCliResource

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


def build_resources() -> dict[str, object]:
    """The resources of the code location; everything comes from the environment."""
    return {
        "home": DistrictwideHome(root=EnvVar("DISTRICTWIDE_HOME")),
        "dbt": DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=DBT_EXECUTABLE),
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
