"""`districtwide spark build|compare`: the dbt models on Apache Spark (profiles.yml `spark`).

`build` builds every model from the raw Parquet of `$DISTRICTWIDE_HOME` on Spark (local mode, or
the master `DISTRICTWIDE_SPARK_MASTER` names) and writes each mart as Parquet under
`$DISTRICTWIDE_HOME/spark/export/marts/`; `compare` says, mart by mart, whether those rows are
DuckDB's. Needs `make install-spark` (docs/scaling.md, "Spark").
"""

from __future__ import annotations

import os
from pathlib import Path

import click


def spark_home_and_vars() -> tuple[object, dict]:
    from connectors.home import Home
    from settings.files import ensure_district_config, load_config

    named = os.environ.get("DISTRICTWIDE_HOME")
    if not named:
        raise click.ClickException("DISTRICTWIDE_HOME is not set: export it (the data folder)")
    home = Home(Path(named).resolve())
    return home, load_config(ensure_district_config(home.root)).dbt_vars()


@click.group(name="spark")
def command() -> None:
    """The dbt project on Apache Spark, beside DuckDB's warehouse."""


@command.command(name="build")
@click.option("--select", multiple=True, help="dbt node selection (default: every model)")
def build(select: tuple[str, ...]) -> None:
    """Build the models on Spark from the raw Parquet, with the district's metric settings, and
    export the marts as Parquet."""
    from districtwide import spark

    home, dbt_vars = spark_home_and_vars()
    try:
        exported = spark.build(home, dbt_vars, list(select) or None)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    cpu, peak = spark.jvm_usage()
    click.echo(f"{len(exported)} marts written under {spark.spark_home(home) / 'export'}")
    click.echo(f"Spark's JVM: {cpu:.1f} s CPU, peak {peak:.0f} MB resident")


@command.command(name="compare")
def compare() -> None:
    """Compare each exported mart with DuckDB's, row for row; exits 1 when one differs."""
    from connectors import warehouse
    from districtwide import spark

    home, _ = spark_home_and_vars()
    unequal = 0
    with warehouse.connect(home.warehouse) as con:
        for name, found in spark.compare_marts(con, spark.spark_home(home) / "export").items():
            same = spark.equal(found)
            unequal += not same
            click.echo(f"{'equal  ' if same else 'DIFFERS'} {name}: {found}")
    raise SystemExit(1 if unequal else 0)
