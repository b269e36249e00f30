"""The factory behind every landed raw table: one Dagster asset per `FileSpec`.

Each asset writes two raw tables: the parsed rows and the lines the CSV parser rejected.
"""

from __future__ import annotations

from dagster import (
    AssetsDefinition,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from connectors.filespec import FileSpec
from connectors.load import load_table
from orchestration.resources import DistrictwideHome

# Who answers for each source's data (owners shown in the Dagster UI).
SOURCE_OWNERS = {
    "sis": ["team:sis-administration"],
    "attendance": ["team:attendance-office"],
    "assessment": ["team:assessment-office"],
}


def raw_table_asset(spec: FileSpec) -> AssetsDefinition:
    """Land and parse the files of one raw table; fail loudly, naming the file, on a bad file."""
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

    @multi_asset(name=f"land_{spec.table}", specs=[rows, rejects])
    def _land(home: DistrictwideHome):
        result = load_table(home.layout(), spec)
        if result.failed:
            raise Failure(
                description="; ".join(str(r["error"]) for r in result.failed),
                metadata={"failed_files": [str(r["source_file"]) for r in result.failed]},
            )
        yield MaterializeResult(
            asset_key=rows.key,
            metadata={
                "files_loaded": MetadataValue.json([r["source_file"] for r in result.loaded]),
                "files_skipped_already_loaded": MetadataValue.json(result.skipped),
                "rows_parsed": result.rows_parsed,
                "sha256": MetadataValue.json(
                    {r["source_file"]: r["sha256"] for r in result.loaded}
                ),
            },
        )
        yield MaterializeResult(
            asset_key=rejects.key, metadata={"rows_rejected_by_parser": result.rows_rejected}
        )

    return _land
