"""The dbt project built on Apache Spark (profiles.yml, target `spark`) from the same raw Parquet.

DuckDB stays the warehouse a load builds. This builds the same models with dbt-spark in this
process (a PySpark session: local mode, or the cluster `DISTRICTWIDE_SPARK_MASTER` names), then
can expose Spark's tables to DuckDB (`attach`), where the quality checks and the serving copy
read them. Needs the optional install `.[spark]` and Java 17 (docs/scaling.md, "Spark").
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from connectors.home import REPO_ROOT, Home

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# dbt's compiled SQL for the Spark target, apart from DuckDB's (the manifest Dagster reads).
TARGET_DIR = "spark_target"

# Arrow's types of the raw Parquet, as Spark SQL names them.
SPARK_TYPES = {
    "string": "string",
    "large_string": "string",
    "int8": "tinyint",
    "int16": "smallint",
    "int32": "int",
    "int64": "bigint",
    "double": "double",
    "float": "float",
    "bool": "boolean",
    "date32[day]": "date",
}


def spark_home(home: Home) -> Path:
    """Spark's warehouse folder and metastore (profiles.yml reads the same variable)."""
    named = os.environ.get("DISTRICTWIDE_SPARK_HOME")
    return Path(named) if named else home.root / "spark"


def spark_type(arrow_type: object) -> str:
    """A Spark SQL type for an Arrow type of the raw Parquet (timestamps without a zone)."""
    name = str(arrow_type)
    if name.startswith("timestamp"):
        return "timestamp_ntz" if "tz=" not in name else "timestamp"
    if name.startswith("decimal"):
        return name.replace("decimal128", "decimal")
    return SPARK_TYPES[name]


def raw_columns(raw: Path) -> dict[str, str]:
    """Each raw table's columns as a Spark column list, by its path under raw/: `<folder>/*.parquet`
    for a folder of loads (the columns of all its files, `_schema.parquet`'s too, by name), the file
    itself for a single file (the crosswalks)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out: dict[str, str] = {}
    folders: dict[Path, list[pa.Schema]] = {}
    for path in sorted(raw.rglob("*.parquet")):
        schema = pq.read_schema(path)
        folders.setdefault(path.parent, []).append(schema)
        out[path.relative_to(raw).as_posix()] = column_list(schema)
    for folder, schemas in folders.items():
        merged = pa.unify_schemas(schemas, promote_options="permissive")
        out[f"{folder.relative_to(raw).as_posix()}/*.parquet"] = column_list(merged)
    return out


def column_list(schema: object) -> str:
    return ", ".join(f"`{field.name}` {spark_type(field.type)}" for field in schema)


@contextmanager
def spark_environment(home: Home) -> Iterator[None]:
    """The environment dbt's Spark target reads, for the duration of a build."""
    names = {
        "DISTRICTWIDE_HOME": str(home.root),
        "DISTRICTWIDE_SPARK_HOME": str(spark_home(home)),
        "DISTRICTWIDE_SPARK_RAW_COLUMNS": json.dumps(raw_columns(home.root / "raw")),
    }
    before = {name: os.environ.get(name) for name in names}
    os.environ.update(names)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def build(home: Home, dbt_vars: dict | None = None, select: list[str] | None = None) -> None:
    """`dbt build --target spark` of the models (no data tests: DuckDB's build runs them) in this
    process: the raw folders registered as Spark tables first, in the same session."""
    from dbt.cli.main import dbtRunner

    spark_home(home).mkdir(parents=True, exist_ok=True)
    common = [
        "--target",
        "spark",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(home.root / TARGET_DIR),
        "--log-path",
        str(home.root / TARGET_DIR / "logs"),
        "--vars",
        json.dumps(dbt_vars or {}, sort_keys=True),
    ]
    runner = dbtRunner()
    with spark_environment(home):
        result = runner.invoke(["run-operation", "spark_raw_tables", *common])
        if not result.success:
            raise RuntimeError(f"registering the raw Parquet on Spark failed: {result.exception}")
        # Always whole: the incremental merges are DuckDB's (macros/spark.sql).
        args = ["build", *common, "--full-refresh", "--exclude-resource-type", "test", "unit_test"]
        if select:
            args += ["--select", *select]
        result = runner.invoke(args)
    if not result.success:
        failed = [r.node.name for r in result.result or [] if r.status in ("error", "fail")]
        raise RuntimeError(f"dbt build on Spark failed: {failed or result.exception}")


def export(schemas: tuple[str, ...], out: Path) -> dict[str, Path]:
    """Every table and view of `schemas` that the build's Spark session holds, written as Parquet
    under `out/<schema>/<name>/` (a view computed by Spark), for DuckDB to read (`attach`)."""
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    written = {}
    for schema in schemas:
        for row in spark.sql(f"show tables in {schema}").collect():
            if row.isTemporary:
                continue
            path = out / schema / row.tableName
            spark.table(f"{schema}.{row.tableName}").write.mode("overwrite").parquet(str(path))
            written[f"{schema}.{row.tableName}"] = path
    return written
