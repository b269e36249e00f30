"""Publish the dashboards after each new served copy, when a Superset server is configured."""

from __future__ import annotations

from dagster import (
    AssetKey,
    EventLogEntry,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    asset_sensor,
)

from orchestration.defs.jobs import publish_dashboards
from settings.environment import EnvironmentSettings


@asset_sensor(asset_key=AssetKey(["serving", "marts"]), job=publish_dashboards)
def dashboards_after_serving(context: SensorEvaluationContext, asset_event: EventLogEntry):
    """Publish the dashboards once per new served copy, when a Superset server is configured."""
    if not EnvironmentSettings.from_env().superset_url:
        return SkipReason("DISTRICTWIDE_SUPERSET_URL is not set: no Superset to publish to")
    return RunRequest(run_key=f"served-{asset_event.storage_id}")
