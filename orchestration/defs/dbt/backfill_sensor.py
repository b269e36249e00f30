"""The backfill of older school years a load staged new rows of, or left built with earlier
settings (connectors/pending_years.py).

A nightly or on-arrival run rebuilds the current and the last school year only. When it staged
a delivery of an older year (a corrected state file, a late MAP term), or built its years with a
setting, crosswalk or model the older years' marts were built without, this sensor asks for one
run rebuilding that year and every year after it (their change-from-prior figures read it), as
`districtwide load --years` would, once the queue holds no consolidated load: the older year's
marts are right by the morning without anybody noticing the late file. Each finding is asked for
once (its run key): a failed backfill is not retried in a loop; the failure sensor tells district
IT, and the next build that stages such rows asks again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from connectors import pending_years
from orchestration.defs.dbt.school_years import (
    PARTITIONS_NAME,
    REBUILD_TAG,
    range_tags,
    register,
    years_in_warehouse,
)
from orchestration.defs.jobs import consolidated_load
from orchestration.resources import DistrictwideHome

#: A consolidated load queued or running: the sensor waits for it (it may stage more).
WAITING_FOR = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]
#: The tag naming the years a backfill run was asked for.
OLDER_YEARS_TAG = "districtwide/older_years"


def backfill_range(
    waiting: Sequence[int], warehouse: Path, listed: Iterable[int] = ()
) -> tuple[int, int]:
    """The years a backfill of `waiting` rebuilds: from the first to the latest year the
    warehouse holds or the schedule `listed` (the warehouse may be held by a load started from a
    shell, outside the queue): the later years' change-from-prior figures read the earlier."""
    return min(waiting), max([*waiting, *years_in_warehouse(warehouse), *listed])


@sensor(
    job=consolidated_load,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Rebuilds an older school year a load staged new rows of, and the years after it.",
)
def older_years_backfill(context: SensorEvaluationContext, home: DistrictwideHome):
    """One run of the waiting years and every year after them, when no load is queued."""
    warehouse = home.layout().warehouse
    record = pending_years.read(warehouse)
    waiting = record["years"]
    if not waiting:
        return SkipReason("no older school year waits for a backfill")
    busy = context.instance.get_runs(
        RunsFilter(job_name=consolidated_load.name, statuses=WAITING_FOR), limit=1
    )
    if busy:
        return SkipReason(f"school years {waiting} wait for the load {busy[0].run_id} to end")
    listed = [int(key) for key in context.instance.get_dynamic_partitions(PARTITIONS_NAME)]
    first, last = backfill_range(waiting, warehouse, listed)
    register(context.instance, range(first, last + 1))
    return RunRequest(
        run_key=f"older-years-{first}-{last}-{record['found_at']}",
        tags={
            **range_tags(first, last),
            REBUILD_TAG: "true",
            OLDER_YEARS_TAG: ",".join(map(str, waiting)),
        },
    )
