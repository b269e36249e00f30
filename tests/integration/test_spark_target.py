"""The dbt project on Apache Spark (profiles.yml, target `spark`) builds every mart of a
10,000-student district from the same raw Parquet as DuckDB, and each mart holds DuckDB's rows.

The district is loaded the usual way (DuckDB, through Dagster); then `districtwide spark build`
builds the models again on Spark local in a process of its own (its JVM ends with it) and writes
each mart, table or view, as Parquet; DuckDB compares each with its own mart, EXCEPT ALL both
ways. Columns compare by kind: integers as integers, fractions as doubles rounded to 9 decimals
(the engines' double sums may differ in the last bits), dates and timestamps as timestamps, the
rest as text. Skipped with the reason where Java or the `spark` extra is missing; failing instead
under CI=true, where `make test` installs both.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from connectors import warehouse
from connectors.home import Home
from districtwide import spark
from tests.conftest import REPO, generate, run_load
from tests.integration.conftest import require

pytestmark = [pytest.mark.integration, pytest.mark.spark]

STUDENTS = 10_000


def require_spark() -> None:
    require(shutil.which("java") is not None, "no `java` on the PATH (PySpark 4 needs Java 17)")
    missing = [m for m in ("pyspark", "dbt.adapters.spark") if importlib.util.find_spec(m) is None]
    require(not missing, f"{', '.join(missing)} not installed (make install-spark)")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """A 10,000-student district loaded by DuckDB, then built again on Spark local."""
    require_spark()
    root = tmp_path_factory.mktemp("spark_district")
    generate(root, STUDENTS, 21)
    home = Home(root).ensure()
    assert run_load(home).success, "consolidated_load failed"
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    env = {**os.environ, "DISTRICTWIDE_HOME": str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "districtwide", "spark", "build"],
        check=True,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    wall = time.monotonic() - started
    # The figure docs/scaling.md quotes: the Spark build's wall and CPU (JVM included).
    # (The JVM's CPU is its own line of the command's output: it is not a waited-for child.)
    print(f"spark build of {STUDENTS} students: {wall:.1f} s wall, {cpu:.1f} s CPU in Python")
    print(done.stdout.strip().splitlines()[-1])
    return home


def test_every_mart_holds_duckdbs_rows(built: Home) -> None:
    with warehouse.connect(built.warehouse) as con:
        found = spark.compare_marts(con, spark.spark_home(built) / "export")
    assert len(found) > 40, "DuckDB's marts schema looks empty"
    unequal = {name: diff for name, diff in found.items() if not spark.equal(diff)}
    assert not unequal, json.dumps(unequal, indent=1, default=str)
    # Non-trivial: the marts compared hold rows on both sides.
    assert sum(diff["rows"] for diff in found.values()) > 100_000


def test_spark_exports_no_mart_duckdb_lacks(built: Home) -> None:
    exported = {p.name for p in (spark.spark_home(built) / "export" / "marts").iterdir()}
    with warehouse.connect(built.warehouse) as con:
        marts = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
    assert exported == marts


def test_raw_columns_read_every_folder_and_its_schema_file(built: Home) -> None:
    columns = spark.raw_columns(built.root / "raw")
    # An empty raw table has only its _schema.parquet, which Spark skips: its columns still come.
    assert "sis/users/*.parquet" in columns
    assert "`sourcedId` string" in columns["sis/users/*.parquet"]
    raw = built.root / "raw"
    assert all((raw / key.removesuffix("/*.parquet")).exists() for key in columns)


def test_quality_checks_and_serving_read_sparks_build(built: Home, tmp_path) -> None:
    """Spark's tables as a DuckDB warehouse (districtwide.spark.duckdb_copy): every quality rule
    has the outcome it has on DuckDB's build, and the serving copy made from it serves the same
    tables with the same row counts as the load's."""
    from expectations.runner import run_suites
    from expectations.suites import all_suites
    from serving.publish import publish

    copy = spark.duckdb_copy(spark.spark_home(built) / "export", tmp_path / "spark_warehouse")
    suites = all_suites()

    def outcomes(warehouse_path: Path) -> dict[tuple[str, str], tuple[bool, object]]:
        results = run_suites(suites, warehouse_path, run_id="spark-target")
        return {
            (r.suite, o.name): (o.success, o.unexpected_count) for r in results for o in r.outcomes
        }

    on_spark, on_duckdb = outcomes(copy), outcomes(built.warehouse)
    assert len(on_spark) > 50
    assert on_spark == on_duckdb
    served = publish(copy, tmp_path / "served" / "districtwide.duckdb")
    with warehouse.connect(built.warehouse) as con:
        rows = {
            f"marts.{name}": con.execute(f"select count(*) from marts.{name}").fetchone()[0]
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
    # Spark wrote every mart as a table, fct_attendance_daily too (DuckDB serves it as a view).
    assert served.tables == rows
