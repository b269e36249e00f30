"""Replay a finished dbt build's SQL alone, node by node, against a copy of its warehouse.

The whole load's dbt step is the models' SQL plus dbt's own Python for each node (compiling,
its events, the materialization's Jinja), with two models on the two cores at once. Replaying
the SQL dbt ran (`dbt_target/run/`, and each data test's compiled query) in dependency order on
one connection gives the SQL's own wall time and CPU, which no dbt setting can go under: the
figures in BENCHMARKS.md's "Where the time goes". With `--operators`, DuckDB's profile of every
model is summed by operator (the table writes, the joins, the projections).

    python -m devtools.replay_sql                 # the bench district (data/bench)
    python -m devtools.replay_sql data/demo --top 10 --operators
"""

from __future__ import annotations

import json
import resource
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import duckdb

from devtools.bench import REPO_ROOT

#: Materializations whose run SQL creates a table without dropping it first (a full refresh).
TABLE_KINDS = ("table", "incremental")


@dataclass(frozen=True)
class Replayed:
    """One node's SQL, run alone."""

    unique_id: str
    seconds: float
    cpu_seconds: float


def cpu_seconds() -> float:
    """This process's CPU so far, DuckDB's threads included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def build_order(run_results: dict[str, Any]) -> list[dict[str, Any]]:
    """The build's nodes in the order they started (dependency order on either thread)."""

    def started(result: dict[str, Any]) -> str:
        return min((t["started_at"] for t in result["timing"] if t["started_at"]), default="")

    return sorted(run_results["results"], key=started)


def open_copy(home: Path, folder: Path, memory: str) -> duckdb.DuckDBPyConnection:
    """The warehouse and marts files copied into `folder`, opened as dbt's profile opens them."""
    for name in ("warehouse.duckdb", "marts.duckdb"):
        shutil.copy(home / "warehouse" / name, folder / name)
    con = duckdb.connect(
        str(folder / "warehouse.duckdb"),
        config={
            "memory_limit": memory,
            "preserve_insertion_order": False,
            "temp_directory": str(folder / "spill"),
        },
    )
    con.execute(f"attach '{folder / 'marts.duckdb'}' as marts_db")
    return con


def replay(
    con: duckdb.DuckDBPyConnection,
    home: Path,
    manifest: dict[str, Any],
    operators: Counter | None = None,
) -> list[Replayed]:
    """Run every model's and data test's SQL of the last build in `home`, one at a time."""
    target = home / "dbt_target"
    results = json.loads((target / "run_results.json").read_text())
    profile = target / "replay_profile.json"
    replayed = []
    for result in build_order(results):
        uid = result["unique_id"]
        node = manifest["nodes"].get(uid)
        if node is None or node["resource_type"] not in ("model", "test"):
            continue
        if node["resource_type"] == "test":
            sql = f"select count(*) from ({result['compiled_code']}) as failures"
        else:
            sql = (target / "run" / node["package_name"] / node["original_file_path"]).read_text()
            if node["config"]["materialized"] in TABLE_KINDS:
                con.execute(f"drop table if exists {result['relation_name']}")
        if operators is not None:
            con.execute("pragma enable_profiling = 'json'")
            con.execute(f"pragma profiling_output = '{profile}'")
        started, cpu = time.perf_counter(), cpu_seconds()
        cursor = con.execute(sql)
        if node["resource_type"] == "test":
            cursor.fetchall()
        replayed.append(Replayed(uid, time.perf_counter() - started, cpu_seconds() - cpu))
        if operators is not None:
            con.execute("pragma disable_profiling")
            for tree in json.loads(profile.read_text())["operator"]:
                add_operator_times(tree, operators)
    profile.unlink(missing_ok=True)
    return replayed


def add_operator_times(tree: dict[str, Any], totals: Counter) -> None:
    """Add each operator's time in DuckDB's JSON profile to its type's total."""
    totals[tree.get("type", "?")] += tree.get("timing", 0.0)
    for child in tree.get("children", []):
        add_operator_times(child, totals)


@click.command()
@click.argument("home", type=click.Path(exists=True, file_okay=False, path_type=Path),
                default=REPO_ROOT / "data" / "bench")  # fmt: skip
@click.option("--top", default=20, show_default=True, help="slowest nodes listed (by CPU)")
@click.option("--operators", is_flag=True, help="also DuckDB's time by operator type")
@click.option("--memory", default="1250MB", show_default=True, help="DuckDB memory limit")
def main(home: Path, top: int, operators: bool, memory: str) -> None:
    """Replay the last dbt build of HOME (after a load: `make bench` leaves data/bench)."""
    manifest = json.loads((REPO_ROOT / "dbt_project" / "target" / "manifest.json").read_text())
    totals: Counter | None = Counter() if operators else None
    (home / "work").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="replay-", dir=home / "work") as folder:
        con = open_copy(home.resolve(), Path(folder), memory)
        try:
            replayed = replay(con, home.resolve(), manifest, totals)
        finally:
            con.close()
    for kind in ("model", "test"):
        nodes = [r for r in replayed if r.unique_id.startswith(kind)]
        print(
            f"{len(nodes)} {kind}s: {sum(r.seconds for r in nodes):.2f} s, "
            f"{sum(r.cpu_seconds for r in nodes):.2f} s of CPU"
        )
    for r in sorted(replayed, key=lambda r: -r.cpu_seconds)[:top]:
        print(f"{r.cpu_seconds:7.2f} s CPU {r.seconds:7.2f} s  {r.unique_id}")
    for kind, seconds in (totals or Counter()).most_common():
        if seconds >= 0.01:
            print(f"{seconds:7.2f} s  {kind}")


if __name__ == "__main__":
    main()
