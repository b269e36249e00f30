"""The one-day incremental at district scale (`districtwide bench`, after the whole load): one new
school day of attendance in the PowerSchool database, then pull, build, checks and publish.

A bench district of its own (the demo's layouts, no faults: `<bench folder>-incremental`) has
its PowerSchool tables written into a MariaDB database of their own
(`dw_bench_<students>_<seed>`, kept between runs: writing 1.5 M rows takes minutes) and the
attendance files are moved out of landing, so attendance comes from the database only; the
other sources stay files. The last school day's `ATTENDANCE` rows are held back in a table of
their own (`ATTENDANCE_NEXT`). Then, from an empty data folder:

1. the full load (every day but the last): the full-rebuild figure;
2. the held day inserted with a new `WhenModified`, and the load again: the incremental figure.

Each load runs in a fresh process (`devtools.bench.measure`), timed per Dagster step; the
incremental's dbt models are timed from dbt's run_results.json.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import sqlalchemy as sa

from benchmarks.current import BENCHMARKS_MD, update
from benchmarks.history import (
    HISTORY,
    INCREMENTAL_HISTORY,
    IncrementalRun,
    append_incremental,
    now,
)

MARIADB = os.environ.get("DISTRICTWIDE_BENCH_MARIADB", "mysql+pymysql://root@127.0.0.1:3306")
NEW_DAY_MODIFIED = "2026-07-01 02:00:00"


def database(students: int, seed: int) -> str:
    return f"dw_bench_{students}_{seed}"


def ensure_database(home: Path, students: int, seed: int) -> str:
    """The bench district's PowerSchool tables in MariaDB (written once per size and seed), with
    the last school day back in `ATTENDANCE`; returns the database URL."""
    from synthetic.databases import write_powerschool

    name = database(students, seed)
    server = sa.create_engine(f"{MARIADB}/test")
    with server.begin() as db:
        # The marker table is written last: a database whose writing was cut off is rewritten.
        exists = db.exec_driver_sql(
            "select count(*) from information_schema.tables "
            "where table_schema = %s and table_name = 'DISTRICTWIDE_BENCH_READY'",
            (name,),
        ).scalar()
        if not exists:
            db.exec_driver_sql(f"create database if not exists {name}")
    server.dispose()
    url = f"{MARIADB}/{name}"
    if not exists:
        write_powerschool(home, url)
        engine = sa.create_engine(url)
        with engine.begin() as db:
            db.exec_driver_sql("drop table if exists ATTENDANCE_NEXT")
            db.exec_driver_sql("create table DISTRICTWIDE_BENCH_READY (ready int)")
        engine.dispose()
    return url


def hold_back_last_day(url: str) -> int:
    """Move the last school day's ATTENDANCE rows into ATTENDANCE_NEXT (a rerun first puts back
    what an earlier run held); returns how many rows are held."""
    engine = sa.create_engine(url)
    with engine.begin() as db:
        held = db.exec_driver_sql(
            "select count(*) from information_schema.tables "
            "where table_schema = database() and table_name = 'ATTENDANCE_NEXT'"
        ).scalar()
        if held:
            db.exec_driver_sql("delete a from ATTENDANCE a join ATTENDANCE_NEXT n on a.ID = n.ID")
            db.exec_driver_sql("insert into ATTENDANCE select * from ATTENDANCE_NEXT")
            db.exec_driver_sql("drop table ATTENDANCE_NEXT")
        # Joined on the keys (MariaDB runs `where ID in (select ...)` row by row: minutes).
        db.exec_driver_sql(
            "create table ATTENDANCE_NEXT (primary key (ID)) as select * from ATTENDANCE "
            "where Att_Date = (select max(Att_Date) from ATTENDANCE)"
        )
        db.exec_driver_sql("delete a from ATTENDANCE a join ATTENDANCE_NEXT n on a.ID = n.ID")
        rows = db.exec_driver_sql("select count(*) from ATTENDANCE_NEXT").scalar()
    engine.dispose()
    return rows


def add_the_day(url: str) -> None:
    """The held day enters the database, modified after everything pulled so far."""
    engine = sa.create_engine(url)
    with engine.begin() as db:
        db.exec_driver_sql("update ATTENDANCE_NEXT set WhenModified = %s", (NEW_DAY_MODIFIED,))
        db.exec_driver_sql("insert into ATTENDANCE select * from ATTENDANCE_NEXT")
    engine.dispose()


def model_seconds(home: Path) -> dict[str, float]:
    """Seconds per dbt model of the last build (run_results.json), slowest first."""
    results = json.loads((home / "dbt_target" / "run_results.json").read_text())
    times = {
        r["unique_id"].split(".")[-1]: round(r["execution_time"], 2)
        for r in results["results"]
        if r["unique_id"].startswith("model.")
    }
    return dict(sorted(times.items(), key=lambda item: -item[1]))


def main(home: Path, students: int, seed: int, *, record: bool = True) -> int:
    """Run the full load and the one-day incremental in `home` (a bench district of its own,
    generated without faults: the PowerSchool tables are written from its UTF-8 exports)."""
    from devtools.bench import ensure_generated

    ensure_generated(home, students, seed, "--clean")
    try:
        url = ensure_database(home, students, seed)
    except sa.exc.OperationalError as exc:
        print(
            f"incremental bench skipped: MariaDB at {MARIADB} cannot be reached "
            f"({str(exc).splitlines()[0]}); start it, or set DISTRICTWIDE_BENCH_MARIADB",
            file=sys.stderr,
        )
        return 0
    files = home / "landing" / "attendance"
    if files.exists():
        aside = home / "attendance-files"
        shutil.rmtree(aside, ignore_errors=True)
        shutil.move(str(files), aside)
    try:
        return _run(home, url, students, record=record)
    finally:
        # The whole-load bench reads the attendance files from landing.
        if (home / "attendance-files").exists() and not files.exists():
            shutil.move(str(home / "attendance-files"), files)


def _run(home: Path, url: str, students: int, *, record: bool) -> int:
    from devtools.bench import commit, machine, measure, reset

    held = hold_back_last_day(url)
    env = {
        **os.environ,
        "DISTRICTWIDE_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "DISTRICTWIDE_DATABASE_SOURCES": "attendance",
        "DISTRICTWIDE_ATTENDANCE_DB_URL": url,
    }
    reset(home)
    full = measure(["--stage", "all"], env)
    print(f"full load (database attendance, all days but the last): {full}")
    full_models = model_seconds(home)
    add_the_day(url)
    incremental = measure(["--stage", "all"], env)
    print(f"one-day incremental ({held:,} ATTENDANCE rows): {incremental}")
    models = model_seconds(home)
    print("incremental dbt models (s): " + json.dumps(dict(list(models.items())[:15])))
    print("full dbt models (s): " + json.dumps(dict(list(full_models.items())[:15])))
    if not (full["success"] and incremental["success"]):
        print("a load failed; nothing recorded", file=sys.stderr)
        return 1
    if record:
        append_incremental(
            IncrementalRun(
                date=now(),
                commit=commit(),
                machine=machine(),
                students=students,
                day_rows=held,
                seconds=incremental["seconds"],
                pull_seconds=incremental["steps"].get("pull_attendance_database"),
                dbt_seconds=incremental["dbt_seconds"],
                checks_seconds=incremental["checks_seconds"],
                publish_seconds=incremental["publish_seconds"],
                full_seconds=full["seconds"],
            )
        )
        update(BENCHMARKS_MD, HISTORY)
        print(f"recorded in {INCREMENTAL_HISTORY} and {BENCHMARKS_MD}")
    return 0


if __name__ == "__main__":  # python -m devtools.bench_incremental <home> <students> [seed]
    sys.exit(
        main(
            Path(sys.argv[1]).resolve(),
            int(sys.argv[2]),
            int(sys.argv[3]) if len(sys.argv) > 3 else 2026,
            record=False,
        )
    )
