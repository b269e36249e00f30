"""The database sources' definitions: a multi-asset per source in `DISTRICTWIDE_DATABASE_SOURCES`
(none by default: a district that delivers files only has no database assets)."""

from __future__ import annotations

from dagster import Definitions
from dagster_dlt import DagsterDltResource

from orchestration.defs.databases.assets import database_asset
from orchestration.defs.databases.resources import database_resources


def database_defs(sources: tuple[str, ...], key_check_days: int) -> Definitions:
    if not sources:
        return Definitions()
    return Definitions(
        assets=[database_asset(source) for source in sources],
        resources={"dlt": DagsterDltResource(), **database_resources(sources, key_check_days)},
    )
