"""Steward alerts in Dagster: the run-status sensors that call the `alerts` package."""

from dagster import Definitions

from orchestration.defs.alerts.sensors import steward_alerts_on_failure, steward_alerts_on_success

defs = Definitions(sensors=[steward_alerts_on_success, steward_alerts_on_failure])
