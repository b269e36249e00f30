"""Jobs: the consolidated load runs every landed source and every model."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

consolidated_load = define_asset_job(
    "consolidated_load",
    selection=AssetSelection.all(),
    description="Land every source's new files, then build staging, conformed and mart models.",
)
