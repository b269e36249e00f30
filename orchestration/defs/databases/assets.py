"""One Dagster multi-asset per database source, through dagster-dlt: an asset per pulled table
(`database/<source>/<TABLE>`), materialized by `DagsterDltResource.run` inside
`connectors.databases.pull`, which then merges, feeds the raw tables and audits.

The assets are not upstream of the dbt models (those read the raw tables, whichever way their
rows came): a server that is down fails this step with a clear message and district IT is
emailed, while the landing and dbt steps run on, the source's raw tables keeping its last pull
("yesterday's data"). In the consolidated load they run first, with the landing step (no
upstream assets), before dbt.
"""

import tempfile
from collections.abc import Iterator
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
)
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from alerts.send_databases import send_database_alert
from connectors.databases.extract import DatabaseUnavailableError, dlt_source, scratch_pipeline
from connectors.databases.pull import pull
from connectors.databases.schemas import SCHEMAS, DatabaseSchema
from orchestration.defs.databases.resources import DatabaseSources
from orchestration.defs.landing.assets import SOURCE_OWNERS
from orchestration.resources import DistrictwideHome
from settings import ensure_district_config, load_config

# dlt needs a source and pipeline to name the assets when the definitions load; reflection is
# deferred, so this URL is never connected to (the run's comes from the resource).
_PLACEHOLDER = "mysql+pymysql://districtwide@placeholder/none"


class Translator(DagsterDltTranslator):
    """Asset keys `database/<source>/<TABLE>`, grouped and owned like the source's files."""

    def __init__(self, schema: DatabaseSchema) -> None:
        self.schema = schema

    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        spec = super().get_asset_spec(data)
        return spec.replace_attributes(
            key=["database", self.schema.source, data.resource.name],
            deps=[],
            group_name=self.schema.source,
            owners=SOURCE_OWNERS.get(self.schema.source, []),
            description=f"{self.schema.name} table {data.resource.name}, pulled incrementally "
            f"from the {self.schema.source} database (dlt), archived, mirrored and fed into "
            "the raw tables through the shipped layouts.",
            kinds={"dlt", "parquet"},
        )


def database_asset(source: str) -> AssetsDefinition:
    schema = SCHEMAS[source]

    @dlt_assets(
        dlt_source=dlt_source(_PLACEHOLDER, schema, schema.tables, {}),
        dlt_pipeline=scratch_pipeline(schema, Path(tempfile.gettempdir()) / "districtwide-dlt"),
        name=f"pull_{source}_database",
        dagster_dlt_translator=Translator(schema),
    )
    def _pull(
        context: AssetExecutionContext,
        dlt: DagsterDltResource,
        home: DistrictwideHome,
        databases: DatabaseSources,
    ) -> Iterator[MaterializeResult]:
        layout = home.layout()
        materialized: list[MaterializeResult] = []

        def run(dlt_src, pipeline) -> None:  # noqa: ANN001
            materialized.extend(
                dlt.run(
                    context=context,
                    dlt_source=dlt_src,
                    dlt_pipeline=pipeline,
                    loader_file_format="parquet",
                )
            )

        config = load_config(ensure_district_config(layout.root))
        alert = {
            "config": config,
            "run_id": context.run.run_id,
            "state_dir": layout.root / "alerts",
        }
        try:
            result = pull(
                layout,
                source,
                databases.url(source),
                key_check_days=databases.key_check_days,
                run=run,
            )
        except DatabaseUnavailableError as exc:
            send_database_alert(source, down=str(exc), **alert)
            raise Failure(
                description=f"{source} database not pulled: {exc}. Its raw tables keep the last "
                "pull; the other sources load and publish as usual; district IT was emailed.",
            ) from None
        if result.failed or result.drift:
            send_database_alert(
                source, failed=list(result.failed.values()), drift=result.drift, **alert
            )
        for item in materialized:
            table = item.asset_key.path[-1] if item.asset_key else None
            merged = result.tables.get(table)
            extra = {}
            if merged is not None:
                extra = {
                    "rows_changed": merged.changed,
                    "rows_deleted": merged.deleted,
                    "rows_in_mirror": merged.rows,
                    "high_water_mark": merged.mark or "",
                }
            drift = [d for d in result.drift if d.startswith(f"{table}:")]
            if drift:
                extra["schema_drift"] = MetadataValue.json(drift)
            yield MaterializeResult(
                asset_key=item.asset_key, metadata={**(item.metadata or {}), **extra}
            )
        for load in result.loads:
            context.log.info(
                "%s: %d row(s) into %s (load %s)",
                load["source_file"],
                load["rows_parsed"],
                load["raw_table"],
                load["load_id"],
            )
        if result.failed:
            raise Failure(
                description=f"{source} database: not loaded: " + "; ".join(result.failed.values())
            )

    return _pull
