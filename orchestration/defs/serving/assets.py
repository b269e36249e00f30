"""The served marts: published for readers only after the whole build and its checks passed."""

from dagster import AssetKey, MaterializeResult, MetadataValue, asset

from connectors.holds import record_published
from orchestration.defs.dbt.assets import districtwide_dbt_models, read_after_the_build
from orchestration.resources import DistrictwideHome
from serving.postgres import PostgresTarget, publish_to_postgres
from serving.publish import publish
from serving.served import serving_target

# Every mart, and every asset a quality suite checks: a failed blocking check on any of them
# stops the publication (Dagster blocks only the direct dependents of a checked asset).
PUBLISH_AFTER = sorted(
    read_after_the_build(districtwide_dbt_models.keys), key=lambda key: key.to_user_string()
)


@asset(
    key=AssetKey(["serving", "marts"]),
    deps=PUBLISH_AFTER,
    group_name="serving",
    owners=["team:data-office"],
    kinds={"duckdb"},
    description="The marts as a read-only DuckDB file (serving/districtwide.duckdb), swapped in "
    "atomically after a load whose blocking checks passed; yesterday's copy stays otherwise. "
    "With DISTRICTWIDE_SERVING=postgres, also copied into PostgreSQL and swapped there.",
)
def served_marts(home: DistrictwideHome) -> MaterializeResult:
    layout = home.layout()
    published = publish(layout.warehouse, layout.serving, duckdb_config=home.duckdb_config())
    # What it was built from: a source's files newer than these are what a blocking failure on
    # that source holds back next time (orchestration/defs/quality/holdback.py).
    record_published(layout)
    metadata = {
        "path": MetadataValue.path(str(published.path)),
        "rows": MetadataValue.json(published.tables),
        "views": MetadataValue.json(list(published.views)),
    }
    if serving_target() == "postgres":
        target = PostgresTarget.from_env()
        publish_to_postgres(layout.serving, target)
        metadata["postgres"] = f"{target.host}:{target.port}/{target.database}.{target.schema}"
    return MaterializeResult(metadata=metadata)
