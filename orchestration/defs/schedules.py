"""Schedules: the nightly consolidated load, before the data team's morning."""

from __future__ import annotations

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    schedule,
)

from orchestration.defs.dbt.school_years import (
    range_tags,
    recent_years,
    register,
    years_in_warehouse,
)
from orchestration.defs.jobs import consolidated_load
from orchestration.resources import DistrictwideHome


def nightly_consolidated_load(timezone: str) -> ScheduleDefinition:
    """Every night at 02:00 in the district's `timezone` (an IANA name): every source's new files
    and the marts of the current school year and the one just ended (`recent_years`,
    orchestration/defs/dbt/school_years.py); older years stay as their last build left them, and
    a backfill rebuilds them."""

    @schedule(
        name="nightly_consolidated_load",
        job=consolidated_load,
        cron_schedule="0 2 * * *",
        execution_timezone=timezone,
        default_status=DefaultScheduleStatus.RUNNING,
        description="Every night at 02:00 district time: new files; this school year and the last.",
    )
    def nightly(context: ScheduleEvaluationContext, home: DistrictwideHome) -> RunRequest:
        first, last = recent_years(context.scheduled_execution_time.date())
        # Every year the warehouse holds, listed for a backfill from the UI.
        register(context.instance, [*years_in_warehouse(home.layout().warehouse), first, last])
        return RunRequest(tags=range_tags(first, last))

    return nightly
