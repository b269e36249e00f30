"""Schedules: the nightly consolidated load, before the data team's morning."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.defs.jobs import consolidated_load


def nightly_consolidated_load(timezone: str) -> ScheduleDefinition:
    """Every night at 02:00 in the district's `timezone` (an IANA name)."""
    return ScheduleDefinition(
        name="nightly_consolidated_load",
        job=consolidated_load,
        cron_schedule="0 2 * * *",
        execution_timezone=timezone,
        default_status=DefaultScheduleStatus.RUNNING,
        description="Every night at 02:00 district time.",
    )
