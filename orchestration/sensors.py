"""Sensors: start a consolidated load when a vendor drops new files into a landing folder, alert
the stewards after it, and publish the dashboards after each new served copy."""

from __future__ import annotations

import hashlib
import json
import os

from dagster import (
    AssetKey,
    DagsterRunStatus,
    DefaultSensorStatus,
    EventLogEntry,
    RunRequest,
    RunStatusSensorContext,
    SensorEvaluationContext,
    SkipReason,
    asset_sensor,
    run_status_sensor,
    sensor,
)

from connectors.delivery import landing_files
from orchestration.jobs import consolidated_load, publish_dashboards
from orchestration.resources import DistrictwideHome
from orchestration.run_alerts import alert_after_run


def landing_fingerprint(home: DistrictwideHome) -> dict[str, list[float]]:
    """Path under landing → (size, mtime) of every delivered file (subfolders and zips too)."""
    landing = home.layout().landing
    files = {}
    for path in landing_files(landing):
        stat = path.stat()
        files[path.relative_to(landing).as_posix()] = [stat.st_size, stat.st_mtime]
    return files


@sensor(job=consolidated_load, minimum_interval_seconds=60)
def landing_sensor(context: SensorEvaluationContext, home: DistrictwideHome):
    """Request one run per change of the landing folders (new, replaced or removed files)."""
    files = landing_fingerprint(home)
    previous = json.loads(context.cursor) if context.cursor else {}
    changed = sorted(name for name, sig in files.items() if previous.get(name) != sig)
    if not changed:
        return SkipReason("no new files in the landing folders")
    digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
    context.update_cursor(json.dumps(files, sort_keys=True))
    return RunRequest(
        run_key=f"landing-{digest}", tags={"districtwide/new_files": ",".join(changed)[:1000]}
    )


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[consolidated_load],
    name="steward_alerts_on_success",
    # On from the start: a district that runs the daemon gets its stewards' emails without a
    # click in the UI (the outbox folder when no SMTP host is set).
    default_status=DefaultSensorStatus.RUNNING,
)
def steward_alerts_on_success(context: RunStatusSensorContext, home: DistrictwideHome):
    """After a load: one email per domain whose checks failed (warnings included)."""
    alert_after_run(context.instance, context.dagster_run.run_id, home.layout())


@run_status_sensor(
    run_status=DagsterRunStatus.FAILURE,
    monitored_jobs=[consolidated_load],
    name="steward_alerts_on_failure",
    # On from the start: a district that runs the daemon gets its stewards' emails without a
    # click in the UI (the outbox folder when no SMTP host is set).
    default_status=DefaultSensorStatus.RUNNING,
)
def steward_alerts_on_failure(context: RunStatusSensorContext, home: DistrictwideHome):
    """A blocked load emails the stewards; a crashed one also emails district IT."""
    alert_after_run(context.instance, context.dagster_run.run_id, home.layout())


@asset_sensor(asset_key=AssetKey(["serving", "marts"]), job=publish_dashboards)
def dashboards_after_serving(context: SensorEvaluationContext, asset_event: EventLogEntry):
    """Publish the dashboards once per new served copy, when a Superset server is configured."""
    if not os.environ.get("DISTRICTWIDE_SUPERSET_URL"):
        return SkipReason("DISTRICTWIDE_SUPERSET_URL is not set: no Superset to publish to")
    return RunRequest(run_key=f"served-{asset_event.storage_id}")
