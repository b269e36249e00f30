"""Jobs: the consolidated load runs every landed source and every model; publishing the
dashboards is its own job, so a load never fails because Superset is down."""

from __future__ import annotations

from dagster import AssetKey, AssetSelection, define_asset_job

DASHBOARDS = AssetSelection.assets(AssetKey(["serving", "dashboards"]))

consolidated_load = define_asset_job(
    "consolidated_load",
    selection=AssetSelection.all() - DASHBOARDS,
    description="Land every source's new files, then build staging, conformed and mart models.",
)

publish_dashboards = define_asset_job(
    "publish_dashboards",
    selection=DASHBOARDS,
    description="Publish the served marts to Superset (dashboards/specs.yaml).",
)
