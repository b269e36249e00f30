"""The steward alert sensors: after each consolidated load, one email per domain whose checks
failed; after a crashed one, district IT's too (`alerts.after_run`)."""

from __future__ import annotations

from dagster import DagsterRunStatus, DefaultSensorStatus, RunStatusSensorContext, run_status_sensor

from alerts.after_run import alert_after_run
from orchestration.defs.jobs import consolidated_load
from orchestration.resources import DistrictwideHome


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[consolidated_load],
    name="steward_alerts_on_success",
    default_status=DefaultSensorStatus.RUNNING,
)
def steward_alerts_on_success(context: RunStatusSensorContext, home: DistrictwideHome):
    """After a load: one email per domain whose checks failed (warnings included)."""
    alert_after_run(context.instance, context.dagster_run.run_id, home.layout())


@run_status_sensor(
    run_status=DagsterRunStatus.FAILURE,
    monitored_jobs=[consolidated_load],
    name="steward_alerts_on_failure",
    default_status=DefaultSensorStatus.RUNNING,
)
def steward_alerts_on_failure(context: RunStatusSensorContext, home: DistrictwideHome):
    """A blocked load emails the stewards; a crashed one also emails district IT."""
    alert_after_run(context.instance, context.dagster_run.run_id, home.layout())
