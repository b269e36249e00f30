"""Schedules: the nightly consolidated load, before the data team's morning."""

from __future__ import annotations

import os

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.jobs import consolidated_load

nightly_consolidated_load = ScheduleDefinition(
    name="nightly_consolidated_load",
    job=consolidated_load,
    cron_schedule="0 2 * * *",
    execution_timezone=os.environ.get("DISTRICTWIDE_TIMEZONE", "America/New_York"),
    default_status=DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 district time.",
)
