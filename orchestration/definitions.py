"""The code location: gathers assets, jobs, schedules, sensors and resources. Nothing else."""

from __future__ import annotations

from dagster import Definitions

from orchestration.assets import assessment, attendance, sis
from orchestration.assets.dbt import districtwide_dbt_models
from orchestration.assets.serving import served_marts
from orchestration.checks import data_quality
from orchestration.jobs import consolidated_load
from orchestration.resources import build_resources
from orchestration.schedules import nightly_consolidated_load
from orchestration.sensors import (
    landing_sensor,
    steward_alerts_on_failure,
    steward_alerts_on_success,
)

defs = Definitions(
    assets=[
        *sis.ASSETS,
        *attendance.ASSETS,
        *assessment.ASSETS,
        districtwide_dbt_models,
        served_marts,
    ],
    asset_checks=[data_quality],
    jobs=[consolidated_load],
    schedules=[nightly_consolidated_load],
    sensors=[landing_sensor, steward_alerts_on_success, steward_alerts_on_failure],
    resources=build_resources(),
)
