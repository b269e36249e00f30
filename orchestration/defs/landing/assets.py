"""The landed raw tables: one Dagster asset per canonical raw table, all landed by one step.

Each raw table is two assets, grouped by source: the parsed rows and the lines the CSV parser
rejected. One subsettable `multi_asset`, `land_raw_tables`, lands every selected table in
parallel (`connectors.load.load_landing`): Dagster runs a job's steps one after another in
process, and landing a table is mostly DuckDB and hashing, which release the GIL, so one step
with a thread per core lands 14 tables in half the time of 14 steps (or one step per source,
whose largest file would leave a core idle).

A bad file does not stop the load: it is set aside (audit status `failed`, with file, line and
column; a file cut short is one: `connectors.load.truncation`, thresholds from the district
config's `landing:`), the last good load of its name stays in effect, its table is materialized
from the rest, and its steward is emailed once about it (`alerts.send_files`). A symbolic link
is refused unread and told to district IT with the unrecognized files. Files no layout
recognizes are logged one by one (header, closest layouts, what they lack) and told to
district IT the same way.
The run's tags count the files (`districtwide/files_loaded`, `_set_aside`, `_unrecognized`,
`_skipped`), so the runs list shows them. Only an unexpected error (a bug, a full disk) fails the
step, after the other tables have landed.
"""

from collections.abc import Sequence

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from connectors.load import LandingRun, TableLoad, load_landing
from connectors.tables import RAW_TABLES, RawTable
from orchestration.resources import DistrictwideHome
from settings import ensure_district_config, load_config

# Who answers for each source's data (owners shown in the Dagster UI).
SOURCE_OWNERS = {
    "sis": ["team:sis-administration"],
    "attendance": ["team:attendance-office"],
    "assessment": ["team:assessment-office"],
}


def table_specs(spec: RawTable) -> tuple[AssetSpec, AssetSpec]:
    """The two assets of one raw table: its rows and its parser rejects."""
    owners = SOURCE_OWNERS.get(spec.source, [])
    rows = AssetSpec(
        key=["raw", spec.source, spec.entity],
        group_name=spec.source,
        owners=owners,
        description=f"{spec.description}. Files in any layout that feeds `{spec.table}` "
        "(connectors/layouts/), archived with their sha256, mapped to raw Parquet (text).",
        kinds={"csv", "parquet"},
    )
    rejects = AssetSpec(
        key=["raw", spec.source, f"{spec.entity}__rejects"],
        group_name=spec.source,
        owners=owners,
        description=f"Lines of `{spec.table}` files the CSV parser could not read, with line, "
        "column and the parser's reason.",
        kinds={"parquet"},
    )
    return rows, rejects


def raw_tables_asset(specs: Sequence[RawTable], name: str) -> AssetsDefinition:
    """Land and parse the files of `specs` in one step, the selected tables in parallel; bad files
    are set aside and reported, an unexpected error fails the step once every table has landed."""
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
        layout = home.layout()
        settings = load_config(ensure_district_config(layout.root)).landing
        run = load_landing(layout, {spec.table for spec in chosen}, settings=settings)
        results = run.tables
        for item in run.unrecognized:
            context.log.warning("not loaded: %s", item["error"])
        for spec in chosen:
            result = results[spec.table]
            for record in result.failed:
                context.log.warning("set aside: %s", record["error"])
            if result.error:
                continue
            rows, rejects = assets[spec.table]
            if rows.key in selected:
                yield MaterializeResult(asset_key=rows.key, metadata=rows_metadata(result))
            if rejects.key in selected:
                yield MaterializeResult(
                    asset_key=rejects.key,
                    metadata={"rows_rejected_by_parser": result.rows_rejected},
                )
        context.instance.add_run_tags(
            context.run.run_id, run_tags(run, [results[spec.table] for spec in chosen])
        )
        raise_failures([results[spec.table] for spec in chosen])

    return _land


def rows_metadata(result: TableLoad) -> dict[str, object]:
    return {
        "files_loaded": MetadataValue.json([r["source_path"] for r in result.loaded]),
        "files_set_aside": MetadataValue.json(
            {r["source_path"]: r["error"] for r in result.failed}
        ),
        "files_skipped_already_loaded": MetadataValue.json(result.skipped),
        # Loaded, with something the steward should hear: mixed encodings, a cut last line.
        "files_with_warnings": MetadataValue.json(
            {r["source_path"]: r["warning"] for r in result.loaded if r.get("warning")}
        ),
        "rows_parsed": result.rows_parsed,
        "sha256": MetadataValue.json({r["source_path"]: r["sha256"] for r in result.loaded}),
    }


def run_tags(run: LandingRun, results: Sequence[TableLoad]) -> dict[str, str]:
    """The files of this run, counted, as the run's tags (Dagster tags are strings)."""
    return {
        "districtwide/files_loaded": str(sum(len(r.loaded) for r in results)),
        "districtwide/files_set_aside": str(sum(len(r.failed) for r in results)),
        "districtwide/files_skipped": str(sum(len(r.skipped) for r in results)),
        "districtwide/files_unrecognized": str(len(run.unrecognized)),
    }


def raise_failures(results: Sequence[TableLoad]) -> None:
    """Fail the step for an unexpected error (raised as it is, noting which table); bad files
    are not failures of the step: they are set aside and reported."""
    errors = [(result.table, result.error) for result in results if result.error]
    if errors:
        table, error = errors[0]
        error.add_note(f"raised while landing raw table {table}")
        for other, other_error in errors[1:]:
            error.add_note(f"raw table {other} also failed: {type(other_error).__name__}")
        raise error


# Every canonical raw table (connectors/tables.py), grouped by source in the asset graph.
LANDING = raw_tables_asset(RAW_TABLES, name="land_raw_tables")
