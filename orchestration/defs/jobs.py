"""Jobs: the consolidated load runs every landed source and every model; publishing the
dashboards is its own job, so a load never fails because Superset is down."""

from __future__ import annotations

from dagster import AssetKey, AssetSelection, define_asset_job, in_process_executor

DASHBOARDS = AssetSelection.assets(AssetKey(["serving", "dashboards"]))

# In one process, as `make demo` and `make bench` run it: the steps run one after another anyway
# (each needs the one before), and Dagster's default executor starts a process per step, each
# importing the code location (Dagster, dbt, GX) again. A 300-student load launched by the daemon
# on a busy 2-core machine took 242 s from launch to success, 142 s of it between steps, starting
# their processes; in one process, 38 s (a rerun, its files already landed).
consolidated_load = define_asset_job(
    "consolidated_load",
    selection=AssetSelection.all() - DASHBOARDS,
    executor_def=in_process_executor,
    description="Land every source's new files, then build staging, conformed and mart models.",
)

publish_dashboards = define_asset_job(
    "publish_dashboards",
    selection=DASHBOARDS,
    description="Publish the served marts to Superset (dashboards/specs.yaml).",
)
