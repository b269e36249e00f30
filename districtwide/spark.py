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
from settings.environment import scoped_environ

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# dbt's compiled SQL for the Spark target, apart from DuckDB's (the manifest Dagster reads).
TARGET_DIR = "spark_target"

# What a Spark build writes back as Parquet: every schema the quality checks and the serving copy
# read (`duckdb_copy`).
EXPORTED_SCHEMAS = ("staging", "intermediate", "marts", "quarantine", "audit")

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
        # Always a whole build: no school-year build (macros/school_years.sql) deletes rows.
        "DISTRICTWIDE_SCHOOL_YEARS": "",
    }
    with scoped_environ(names):
        yield


def build(
    home: Home,
    dbt_vars: dict | None = None,
    select: list[str] | None = None,
    export_schemas: tuple[str, ...] = EXPORTED_SCHEMAS,
) -> dict[str, Path]:
    """`dbt build --target spark` of the models (no data tests: DuckDB's build runs them) in this
    process: the raw folders registered as Spark tables first, in the same session. Then every
    table and view of `export_schemas` written as Parquet (`export`); their folders by name."""
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
        quiet_spark()
        # Always whole: the incremental merges are DuckDB's (macros/spark.sql).
        args = ["build", *common, "--full-refresh", "--exclude-resource-type", "test", "unit_test"]
        if select:
            args += ["--select", *select]
        result = runner.invoke(args)
    if not result.success:
        failed = [r.node.name for r in result.result or [] if r.status in ("error", "fail")]
        raise RuntimeError(f"dbt build on Spark failed: {failed or result.exception}")
    return export(export_schemas, spark_home(home) / "export")


def quiet_spark() -> None:
    """Spark's own log at ERROR from here on: its WARN lines (an existing session reused by every
    statement, Hive's note on each raw table it registers) say nothing about the build."""
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")


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


INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"}


def column_kinds(con: object, relation: str) -> dict[str, str]:
    """Each column of `relation` (lower-cased name) as the kind its values compare as: int,
    fraction, time or text."""
    kinds = {}
    sql = f"select column_name, column_type from (describe select * from {relation})"
    for name, type_ in con.execute(sql).fetchall():
        upper = type_.upper()
        if upper.removeprefix("U") in INTEGERS:
            kinds[name.lower()] = "int"
        elif upper in ("FLOAT", "DOUBLE") or upper.startswith("DECIMAL"):
            kinds[name.lower()] = "fraction"
        elif upper == "DATE" or upper.startswith("TIMESTAMP"):
            kinds[name.lower()] = "time"
        else:
            kinds[name.lower()] = "text"
    return kinds


# How a column compares when its kinds on the two sides are (a, b): integers as integers;
# fractions, or a fraction against an integer, as doubles rounded to 9 decimals (sums and averages
# of doubles may differ between the engines in the last bits); dates and timestamps as timestamps;
# anything else as text.
def comparison(column: str, a: str, b: str) -> str:
    quoted = '"' + column.replace('"', '""') + '"'
    kinds = {a, b}
    if kinds == {"int"}:
        return f"cast({quoted} as hugeint)"
    if kinds <= {"int", "fraction"}:
        return f"round(cast({quoted} as double), 9)"
    if kinds == {"time"}:
        return f"cast({quoted} as timestamp)"
    return f"cast({quoted} as varchar)"


def differences(con: object, duckdb_relation: str, parquet: Path) -> dict[str, object]:
    """How Spark's copy of a relation (its exported Parquet) differs from DuckDB's: the columns
    only one has, and the rows only one has (EXCEPT ALL both ways: duplicates count)."""
    spark_relation = f"read_parquet('{parquet}/*.parquet')"
    ours, theirs = column_kinds(con, duckdb_relation), column_kinds(con, spark_relation)
    shared = ", ".join(comparison(c, ours[c], theirs[c]) for c in ours if c in theirs)
    only_duckdb, only_spark = (
        con.execute(
            f"select count(*) from (select {shared} from {x} except all select {shared} from {y})"
        ).fetchone()[0]
        for x, y in ((duckdb_relation, spark_relation), (spark_relation, duckdb_relation))
    )
    return {
        "columns_only_duckdb": sorted(set(ours) - set(theirs)),
        "columns_only_spark": sorted(set(theirs) - set(ours)),
        "rows_only_duckdb": only_duckdb,
        "rows_only_spark": only_spark,
        "rows": con.execute(f"select count(*) from {duckdb_relation}").fetchone()[0],
    }


def compare_marts(con: object, export_root: Path) -> dict[str, dict[str, object]]:
    """`differences` for every relation of DuckDB's marts schema; a mart Spark did not export
    shows as missing."""
    names = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by table_name"
        ).fetchall()
    ]
    found = {}
    for name in names:
        folder = export_root / "marts" / name
        if not any(folder.glob("*.parquet")):
            found[name] = {"missing_on_spark": True}
        else:
            found[name] = differences(con, f"marts.{name}", folder)
    return found


def equal(found: dict[str, object]) -> bool:
    """Whether `differences` found none."""
    return not any(found.get(k) for k in DIFFERENCE_KEYS)


DIFFERENCE_KEYS = (
    "missing_on_spark",
    "columns_only_duckdb",
    "columns_only_spark",
    "rows_only_duckdb",
    "rows_only_spark",
)


def jvm_usage(pid: int | None = None) -> tuple[float, float]:
    """CPU seconds (user + system) and peak resident MB of the Java processes this process
    started (PySpark's JVM, where local mode runs every task): what Spark costs beside Python's
    own figures, which `time` and getrusage miss while the JVM is still running."""
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        head, _, rest = text.rpartition(")")
        pid_text, _, comm = head.partition(" (")
        parents[int(pid_text)] = int(rest.split()[1])
        names[int(pid_text)] = comm
    root = pid or os.getpid()

    def descends(candidate: int) -> bool:
        while candidate in parents and candidate > 1:
            candidate = parents[candidate]
            if candidate == root:
                return True
        return False

    cpu, peak = 0.0, 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for candidate, comm in names.items():
        if comm != "java" or not descends(candidate):
            continue
        try:
            fields = Path(f"/proc/{candidate}/stat").read_text().rpartition(")")[2].split()
            status = Path(f"/proc/{candidate}/status").read_text()
        except OSError:
            continue
        cpu += (int(fields[11]) + int(fields[12])) / ticks
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak += int(line.split()[1]) / 1024
    return cpu, peak


def duckdb_copy(export_root: Path, folder: Path) -> Path:
    """Spark's exported relations as a DuckDB warehouse laid out as dbt-duckdb's (the marts in
    `marts.duckdb` beside `warehouse.duckdb`, connectors/warehouse.py): the quality suites
    (`expectations.runner.run_suites`) and the publication (`serving.publish.publish`) take its
    path as they take the load's. Returns the path of `warehouse.duckdb`."""
    import duckdb

    from connectors.warehouse import marts_path

    folder.mkdir(parents=True, exist_ok=True)
    build = folder / "warehouse.duckdb"
    for path in (build, marts_path(build)):
        for leftover in (path, path.with_name(path.name + ".wal")):
            leftover.unlink(missing_ok=True)
    for database, marts in ((build, False), (marts_path(build), True)):
        with duckdb.connect(str(database)) as con:
            # Qualified by catalog: in marts.duckdb, `marts` is both the catalog and the schema.
            catalog = con.execute("select current_database()").fetchone()[0]
            for schema_folder in sorted(export_root.iterdir()):
                if (schema_folder.name == "marts") != marts:
                    continue
                schema = f'"{catalog}"."{schema_folder.name}"'
                con.execute(f"create schema if not exists {schema}")
                for table in sorted(schema_folder.iterdir()):
                    con.execute(
                        f'create table {schema}."{table.name}" as '
                        f"select * from read_parquet('{table}/*.parquet')"
                    )
    return build
