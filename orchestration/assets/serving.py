"""The served marts: published for readers only after the whole build and its checks passed."""

from dagster import AssetKey, MaterializeResult, MetadataValue, asset

from dashboards.serving import publish
from orchestration.assets.dbt import districtwide_dbt_models
from orchestration.resources import DistrictwideHome

MART_KEYS = sorted(
    (key for key in districtwide_dbt_models.keys if key.path[0] == "marts"),
    key=lambda key: key.to_user_string(),
)


@asset(
    key=AssetKey(["serving", "marts"]),
    deps=MART_KEYS,
    group_name="serving",
    owners=["team:data-office"],
    kinds={"duckdb"},
    description="The marts as a read-only DuckDB file (serving/districtwide.duckdb), swapped in "
    "atomically after a load whose blocking checks passed; yesterday's copy stays otherwise.",
)
def served_marts(home: DistrictwideHome) -> MaterializeResult:
    layout = home.layout()
    published = publish(layout.warehouse, layout.serving)
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(published.path)),
            "rows": MetadataValue.json(published.tables),
        }
    )
