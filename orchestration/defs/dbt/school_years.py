"""School-year partitions of the dbt assets: a build of some school years replaces only those
years' rows of the year-dependent marts (dbt models tagged `by_school_year`) and leaves every
other year's as it is; the other models are built whole, or kept when their inputs did not change
since the last finished build (`connectors.increments.for_school_years`).

The partitions are dynamic: the school years (ending years) the district's data holds (the
warehouse's `int_school_years`), plus any year a backfill or the nightly schedule names, listed
before each run is requested. Static partitions would need the district's settings when the code
location is imported (it reads no environment then) and would list years the archive never
held; these list what a backfill can actually rebuild.

A run of every listed year (`districtwide load`, `make demo`, a first load from an empty folder:
`run_tags`) builds every year, as before. A run of one year or a range (a single-run backfill:
one dbt invocation) names its years to dbt in `SCHOOL_YEARS_ENV`
(dbt_project/macros/school_years.sql). Years are listed before a run is requested (by the
schedule, the landing sensor, `run_tags`), never during one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
from dagster import AssetExecutionContext, DagsterInstance, DynamicPartitionsDefinition
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from connectors.home import Home
from settings.environment import scoped_environ

#: The partitions' name in the Dagster instance.
PARTITIONS_NAME = "school_year"
SCHOOL_YEARS = DynamicPartitionsDefinition(name=PARTITIONS_NAME)
#: The environment variable dbt's `school_years_built` macro reads: the years a build replaces.
SCHOOL_YEARS_ENV = "DISTRICTWIDE_SCHOOL_YEARS"
#: A school year runs July to June and is named by the year it ends (as the marts name it).
FIRST_MONTH = 7
#: A run that names its school years to rebuild them (`districtwide load --years`): rebuilt even
#: when nothing changed since the last build. A backfill launched from the UI carries Dagster's
#: own `dagster/backfill` tag and is rebuilt likewise (`rebuilds_named_years`).
REBUILD_TAG = "districtwide/rebuild_years"
BACKFILL_TAG = "dagster/backfill"


def current_school_year(today: date | None = None) -> int:
    """The school year `today` falls in, by its ending year."""
    today = today or date.today()
    return today.year + 1 if today.month >= FIRST_MONTH else today.year


def parse_years(text: str) -> list[int]:
    """'2022-2025' → [2022, 2023, 2024, 2025]; '2024' → [2024]. Only consecutive years: a run
    builds one range of partitions."""
    first, dash, last = text.strip().partition("-")
    if not (first.isdigit() and (last.isdigit() or not dash)):
        raise ValueError(f"not a school year (2024) or a range of them (2022-2025): {text!r}")
    start, end = int(first), int(last or first)
    if not (1900 < start <= end < 2200):
        raise ValueError(f"not consecutive school years from the first to the last: {text!r}")
    return list(range(start, end + 1))


def built_years(context: AssetExecutionContext) -> list[int] | None:
    """The school years this run builds: its partition or range; None (every year) when it
    covers every listed year (or has no partition: a bare `materialize`)."""
    if not (context.has_partition_key or context.has_partition_key_range):
        return None
    keys = set(context.partition_keys)
    if keys >= set(context.instance.get_dynamic_partitions(PARTITIONS_NAME)):
        return None
    return sorted(int(key) for key in keys)


def rebuilds_named_years(context: AssetExecutionContext) -> bool:
    """Whether this run's years are to be rebuilt whatever the last build left: a backfill (from
    the UI, or `load --years`), not a nightly or on-arrival run, which may merge increments."""
    tags = context.run.tags
    return tags.get(REBUILD_TAG) == "true" or BACKFILL_TAG in tags


def recent_years(today: date | None = None) -> tuple[int, int]:
    """The school years a nightly or on-arrival run builds: the current one and the one just
    ended. A year's results keep arriving after it ends (the state test's in late summer or
    fall, MAP's spring, corrected attendance), and such a file landed by a run of the current
    year alone would reach the marts only with a backfill; older years do need one."""
    year = current_school_year(today)
    return year - 1, year


def range_tags(first: int, last: int) -> dict[str, str]:
    """The tags of one run of the partitions `first` to `last` (a single-run backfill's)."""
    return {
        ASSET_PARTITION_RANGE_START_TAG: str(first),
        ASSET_PARTITION_RANGE_END_TAG: str(last),
    }


def run_tags(instance: DagsterInstance, home: Home, years: Sequence[int] | None) -> dict[str, str]:
    """The tags of a run of `years` (consecutive), or of every year: Dagster runs a partitioned
    asset only in a run of some partitions (its input versions are read per partition), so a
    load of every year is a run of every listed year, and builds them all (`built_years`).

    The years the warehouse holds are listed first (a year delivered since the last listing
    too), and the current school year when none is listed yet (a first load).
    """
    register(instance, years_in_warehouse(home.warehouse))
    if years:
        ordered = sorted(years)
        if ordered != list(range(ordered[0], ordered[-1] + 1)):
            raise ValueError(f"school years must be consecutive: {ordered}")
        register(instance, ordered)
        return {**range_tags(ordered[0], ordered[-1]), REBUILD_TAG: "true"}
    listed = instance.get_dynamic_partitions(PARTITIONS_NAME)
    if not listed:
        register(instance, [current_school_year()])
        listed = instance.get_dynamic_partitions(PARTITIONS_NAME)
    return range_tags(int(listed[0]), int(listed[-1]))


def register(instance: DagsterInstance, years: Sequence[int]) -> None:
    """Add the school years the instance does not list yet as partitions, keeping them in year
    order (a range of partitions is a range in that order): a year older than a listed one
    (an earlier year delivered late) takes its place, the later ones are listed again after it.
    Their materializations stay in the event log, and so their status."""
    known = list(instance.get_dynamic_partitions(PARTITIONS_NAME))
    new = sorted({str(y) for y in years} - set(known))
    if not new:
        return
    later = [key for key in known if key > new[0]]
    for key in later:
        instance.delete_dynamic_partition(PARTITIONS_NAME, key)
    instance.add_dynamic_partitions(PARTITIONS_NAME, sorted({*new, *later}))


def years_in_warehouse(warehouse: Path) -> list[int]:
    """The school years the built warehouse holds (`intermediate.int_school_years`)."""
    if not warehouse.exists():
        return []
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute(
                "select distinct school_year from intermediate.int_school_years "
                "where school_year is not null order by 1"
            ).fetchall()
    except duckdb.Error:
        return []
    return [int(year) for (year,) in rows]


@contextmanager
def building(years: Sequence[int] | None) -> Iterator[None]:
    """The built years in this process's environment for the dbt build run inside it; the
    earlier value back after."""
    named = "" if years is None else ",".join(str(y) for y in years)
    with scoped_environ({SCHOOL_YEARS_ENV: named}):
        yield
