"""The landed raw tables: one Dagster asset per `FileSpec`, all landed by one step.

Each raw table is two assets, grouped by source: the parsed rows and the lines the CSV parser
rejected. One subsettable `multi_asset`, `land_raw_tables`, lands every selected table in
parallel (`connectors.load.load_tables`): Dagster runs a job's steps one after another in
process, and landing a table is mostly DuckDB and hashing, which release the GIL, so one step
with a thread per core lands 14 tables in half the time of 14 steps (or one step per source,
whose largest file would leave a core idle). A table whose file is bad is not materialized and
fails the step, naming the file, line and column, after the other tables have landed.
"""

from collections.abc import Sequence

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from connectors.filespec import FileSpec
from connectors.load import TableLoad, load_tables
from connectors.sources import ALL_SPECS
from orchestration.resources import DistrictwideHome

# Who answers for each source's data (owners shown in the Dagster UI).
SOURCE_OWNERS = {
    "sis": ["team:sis-administration"],
    "attendance": ["team:attendance-office"],
    "assessment": ["team:assessment-office"],
}


def table_specs(spec: FileSpec) -> tuple[AssetSpec, AssetSpec]:
    """The two assets of one raw table: its rows and its parser rejects."""
    owners = SOURCE_OWNERS.get(spec.source, [])
    rows = AssetSpec(
        key=["raw", spec.source, spec.entity],
        group_name=spec.source,
        owners=owners,
        description=f"{spec.description}. Files `landing/{spec.source}/{spec.pattern}`, "
        "archived with their sha256, parsed to raw Parquet (every column as text).",
        kinds={"csv", "parquet"},
    )
    rejects = AssetSpec(
        key=["raw", spec.source, f"{spec.entity}__rejects"],
        group_name=spec.source,
        owners=owners,
        description=f"Lines of `{spec.pattern}` the CSV parser could not read, with line, "
        "column and the parser's reason.",
        kinds={"parquet"},
    )
    return rows, rejects


def raw_tables_asset(specs: Sequence[FileSpec], name: str) -> AssetsDefinition:
    """Land and parse the files of `specs` in one step, the selected tables in parallel; fail
    loudly, naming each bad file, once every good table has landed."""
    assets = {spec.table: table_specs(spec) for spec in specs}

    @multi_asset(
        name=name,
        specs=[asset for pair in assets.values() for asset in pair],
        can_subset=True,
    )
    def _land(context: AssetExecutionContext, home: DistrictwideHome):
        selected = context.selected_asset_keys
        chosen = [
            spec for spec in specs if any(asset.key in selected for asset in assets[spec.table])
        ]
        results = load_tables(home.layout(), chosen)
        for spec in chosen:
            result = results[spec.table]
            if result.failed or result.error:
                continue
            rows, rejects = assets[spec.table]
            if rows.key in selected:
                yield MaterializeResult(asset_key=rows.key, metadata=rows_metadata(result))
            if rejects.key in selected:
                yield MaterializeResult(
                    asset_key=rejects.key,
                    metadata={"rows_rejected_by_parser": result.rows_rejected},
                )
        raise_failures([results[spec.table] for spec in chosen])

    return _land


def rows_metadata(result: TableLoad) -> dict[str, object]:
    return {
        "files_loaded": MetadataValue.json([r["source_file"] for r in result.loaded]),
        "files_skipped_already_loaded": MetadataValue.json(result.skipped),
        "rows_parsed": result.rows_parsed,
        "sha256": MetadataValue.json({r["source_file"]: r["sha256"] for r in result.loaded}),
    }


def raise_failures(results: Sequence[TableLoad]) -> None:
    """Fail the step for the tables that did not land: an unexpected error is raised as it is
    (noting which table), else a `Failure` naming every bad file, line and column."""
    bad_files = [r for result in results for r in result.failed]
    errors = [(result.table, result.error) for result in results if result.error]
    if errors:
        table, error = errors[0]
        error.add_note(f"raised while landing raw table {table}")
        for other, other_error in errors[1:]:
            error.add_note(f"raw table {other} also failed: {type(other_error).__name__}")
        for record in bad_files:
            error.add_note(f"raw table {record['raw_table']}: {record['error']}")
        raise error
    if bad_files:
        raise Failure(
            description="; ".join(str(r["error"]) for r in bad_files),
            metadata={
                "failed_files": [str(r["source_file"]) for r in bad_files],
                "failed_tables": sorted({str(r["raw_table"]) for r in bad_files}),
            },
        )


# Every raw table of every source (connectors/sources.py), grouped by source in the asset graph.
LANDING = raw_tables_asset(ALL_SPECS, name="land_raw_tables")
