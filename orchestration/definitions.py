"""The code location: gathers each domain's definitions (`orchestration.defs`) and the
resources. Nothing else.

`defs` is loaded lazily (`@definitions`): Dagster calls it when it loads the code location, so
importing this module reads no environment. Scripts and tests call `defs()`.
"""

from __future__ import annotations

import gc
from functools import cache

from dagster import Definitions, definitions

from orchestration.defs.alerts import definitions as alerts
from orchestration.defs.crosswalks import definitions as crosswalks
from orchestration.defs.dashboards import definitions as dashboards
from orchestration.defs.databases.definitions import database_defs
from orchestration.defs.dbt import definitions as dbt
from orchestration.defs.jobs import consolidated_load
from orchestration.defs.landing import definitions as landing
from orchestration.defs.quality import definitions as quality
from orchestration.defs.schedules import nightly_consolidated_load
from orchestration.defs.serving import definitions as serving
from orchestration.resources import build_resources
from settings.environment import EnvironmentSettings


@cache
def load_definitions() -> Definitions:
    """Every domain's definitions merged, with the resources (once per process)."""
    env = EnvironmentSettings.from_env()
    merged = Definitions.merge(
        landing.defs,
        database_defs(env.databases, env.database_key_check_days),
        crosswalks.defs,
        dbt.defs,
        quality.defs,
        serving.defs,
        dashboards.defs,
        alerts.defs,
        Definitions(
            jobs=[consolidated_load],
            schedules=[nightly_consolidated_load(env.timezone)],
            resources=build_resources(env),
        ),
    )
    # What the code location imported (Dagster, dbt, Great Expectations, the dbt manifest:
    # ~500,000 objects) lives as long as the process: frozen, the collector's full passes leave
    # it out. A run then allocates dbt's and Dagster's short-lived event objects by the million;
    # collecting the young generation every 50,000 allocations instead of every 700 takes the
    # collector's pauses (which stop every Python thread, dbt's included) from ~3.2 to ~2.0 s a
    # 100,000-student load.
    gc.freeze()
    gc.set_threshold(50_000, 20, 10)
    return merged


@definitions
def defs() -> Definitions:
    return load_definitions()
