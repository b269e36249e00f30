"""The dbt models as Dagster assets: staging per source, intermediate, marts and quarantine."""

import os
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from connectors.home import Home
from connectors.landing import ensure_empty_audit
from connectors.raw import ensure_schema_files
from connectors.tables import RAW_TABLES
from expectations.history import ensure_history
from orchestration.dbt_project import DBT_PROJECT
from orchestration.dbt_runner import DistrictwideDbt
from orchestration.goals import write_goals
from orchestration.resources import DistrictwideHome

LAYER_GROUPS = {"staging": None, "intermediate": "conformed", "marts": "marts"}


class DistrictwideTranslator(DagsterDbtTranslator):
    """Asset keys `<schema>/<model>`, groups by source for staging, by layer after."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        meta_key = dbt_resource_props.get("meta", {}).get("dagster", {}).get("asset_key")
        if meta_key:
            return AssetKey(meta_key)
        if dbt_resource_props["resource_type"] == "seed":
            return AssetKey(["seeds", dbt_resource_props["name"]])
        return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "crosswalks"
        group = dbt_resource_props.get("meta", {}).get("dagster", {}).get("group")
        if group:
            return group
        return LAYER_GROUPS.get(dbt_resource_props.get("schema", ""), "conformed") or "conformed"


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=DistrictwideTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
)
def districtwide_dbt_models(
    context: AssetExecutionContext, dbt: DistrictwideDbt, home: DistrictwideHome
):
    """`dbt build`: seeds, models and their data tests, in dependency order.

    dbt unit tests check the SQL, not the data: CI runs them (tests/unit/test_dbt_unit_tests.py),
    a nightly load does not, as dbt recommends for production.
    """
    layout = home.layout()
    os.environ["DISTRICTWIDE_HOME"] = str(layout.root)
    ensure_raw_layout(layout)
    yield from dbt.build_in_process(
        ["build", "--exclude-resource-type", "unit_test"],
        context=context,
        target_path=layout.root / "dbt_target",
    )


def ensure_raw_layout(layout: Home) -> None:
    """Zero-row files for every raw table, the audit and the quality history, so dbt's sources
    resolve even before a source's first delivery; the improvement-plan goals from the config."""
    ensure_empty_audit(layout)
    write_goals(layout)
    for spec in RAW_TABLES:
        ensure_schema_files(layout.raw, spec)
    ensure_history(layout.raw / "_quality")
