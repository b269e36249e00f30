"""Database sources against the real MariaDB (PowerSchool's tables) and PostgreSQL (OneRoster's):
full pull, incremental after inserts/updates/deletes, repeated pull, interrupted pull, server
down, schema drift. Each test gets databases of its own, filled by `synthetic.databases` from a
generated district."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from connectors.databases.extract import DatabaseUnavailableError
from connectors.databases.mirror import load_state, replay
from connectors.databases.pull import pull
from connectors.home import Home
from connectors.load import load_landing
from synthetic import FaultRates, GeneratorConfig, generate
from synthetic.databases import write_oneroster, write_powerschool
from tests.conftest import require_service
from tests.fixtures.network import free_port

pytestmark = [pytest.mark.integration, pytest.mark.mariadb, pytest.mark.postgres]

MARIADB = "mysql+pymysql://root@127.0.0.1:3306"
POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432"
EXCEPTIONS = ["StuNum", "SchoolCode", "AbsenceDate", "AttCode", "Minutes", "Comment"]
STUDENTS = ["StuNum", "LastName", "FirstName", "BirthDate", "Gender", "Grade", "SchoolCode"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 300-student district, PowerSchool exports and OneRoster files, no faults."""
    out = tmp_path_factory.mktemp("district")
    generate(
        GeneratorConfig(
            n_students=300, seed=19, out_dir=out, rates=FaultRates.clean(), attendance="powerschool"
        )
    )
    return out


@pytest.fixture
def databases(generated: Path):
    """(MariaDB URL, PostgreSQL URL) of fresh databases holding the district, dropped after."""
    require_service("MariaDB", "127.0.0.1", 3306)
    require_service("PostgreSQL", "127.0.0.1", 5432)
    name = f"dw_dbsources_{uuid.uuid4().hex[:10]}"
    maria = sa.create_engine(f"{MARIADB}/test")
    pg = sa.create_engine(f"{POSTGRES}/test", isolation_level="AUTOCOMMIT")
    with maria.begin() as db:
        db.exec_driver_sql(f"create database {name}")
    with pg.connect() as db:
        db.exec_driver_sql(f"create database {name}")
    urls = (f"{MARIADB}/{name}", f"{POSTGRES}/{name}")
    try:
        write_powerschool(generated, urls[0])
        write_oneroster(generated, urls[1])
        yield urls
    finally:
        with maria.begin() as db:
            db.exec_driver_sql(f"drop database {name}")
        with pg.connect() as db:
            db.exec_driver_sql(f"drop database {name} with (force)")
        maria.dispose()
        pg.dispose()


def raw_rows(home: Home, table: str, columns: list[str], source_file: str) -> list[tuple]:
    """The canonical columns of the latest load of `source_file` in raw `table`, sorted; empty
    text and NULL alike (a file's empty field, a database's NULL)."""
    cols = ", ".join(f'"{c}"' if c == "_line_number" else f"nullif(\"{c}\", '')" for c in columns)
    with duckdb.connect() as con:
        return con.execute(
            f"""
            select {cols} from read_parquet('{home.raw}/{table}/2*.parquet', union_by_name = true)
            where _source_file = ? and _load_id = (
                select max(_load_id) from read_parquet('{home.raw}/{table}/2*.parquet',
                    union_by_name = true) where _source_file = ?)
            order by all
            """,
            [source_file, source_file],
        ).fetchall()


def feed_rows(home: Home, table: str, columns: list[str], name: str) -> list[tuple]:
    """The rows in effect of database feed `name`: its latest whole load with the increments
    loaded after it, each key's (`_line_number`'s) newest version, as dbt reads them."""
    cols = ", ".join(f'"{c}"' if c == "_line_number" else f"nullif(\"{c}\", '')" for c in columns)
    files = f"read_parquet('{home.raw}/{table}/2*.parquet', union_by_name = true)"
    with duckdb.connect() as con:
        return con.execute(
            f"""
            with loads as (
                select * from {files}
                where _source_file = ? or starts_with(_source_file, ? || ' (increment ')
            ),
            in_effect as (
                select *, row_number() over (
                    partition by _line_number order by _load_id desc) as _version
                from loads
                where _load_id >= (select max(_load_id) from loads where _source_file = ?)
            )
            select {cols} from in_effect where _version = 1 order by all
            """,
            [name, name, name],
        ).fetchall()


def audit(home: Home) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(
            f"select raw_table, source_file, status, rows_total, rows_parsed, sha256 "
            f"from read_parquet('{home.audit}/2*.parquet') order by load_id"
        ).fetchall()


def execute(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as db:
        for statement in statements:
            db.exec_driver_sql(statement)
    engine.dispose()


def test_full_pull_gives_the_raw_rows_the_files_give(
    databases: tuple[str, str], generated: Path, tmp_path: Path
) -> None:
    """The PowerSchool tables and OneRoster tables enter the same raw tables, through the same
    layouts, with the same values as the exports of the same district: the staging models are
    the files' (no new model). Every feed has its audit row; each pull is archived."""
    maria, pg = databases
    files = Home(tmp_path / "files").ensure()
    for folder in ("attendance", "sis"):
        shutil.copytree(generated / "landing" / folder, files.landing / folder)
    load_landing(files, {"attendance__exceptions", "attendance__students", "sis__users"})
    home = Home(tmp_path / "db").ensure()
    attendance = pull(home, "attendance", maria)
    sis = pull(home, "sis", pg)
    assert not attendance.failed and not sis.failed
    by_file = raw_rows(
        files, "attendance/exceptions", EXCEPTIONS, "attendance_2025-2026.export.text"
    )
    by_db = raw_rows(home, "attendance/exceptions", EXCEPTIONS, "powerschool:ATTENDANCE")
    assert len(by_db) > 1000
    assert by_db == by_file
    assert raw_rows(home, "attendance/students", STUDENTS, "powerschool:STUDENTS") == raw_rows(
        files, "attendance/students", STUDENTS, "student.export.text"
    )
    users = [
        "sourcedId",
        "status",
        "role",
        "givenName",
        "familyName",
        "identifier",
        "orgSourcedIds",
    ]
    assert raw_rows(home, "sis/users", users, "oneroster:users") == raw_rows(
        files, "sis/users", users, "users.csv"
    )
    rows = {r[1]: r for r in audit(home)}
    assert rows["powerschool:ATTENDANCE"][2:5] == ("loaded", len(by_db), len(by_db))
    assert {"powerschool:CALENDAR_DAY", "oneroster:enrollments"} <= set(rows)
    # OneRoster's password is never read from the server: not archived, mirrored or loaded.
    users_mirror = Path(load_state(home, "sis").tables["users"].mirror)
    with duckdb.connect() as con:
        for path in [*home.archive.rglob("*-oneroster.users.*.parquet"), users_mirror]:
            assert "password" not in {
                r[0] for r in con.execute(f"describe select * from '{path}'").fetchall()
            }
    archived = sorted(p.name for p in home.archive.rglob("*.parquet"))
    assert any("-powerschool.ATTENDANCE." in name for name in archived)
    assert any("-oneroster.users." in name for name in archived)


def test_incremental_pull_reads_only_changes_and_finds_deletes_on_its_key_check(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    maria, _ = databases
    home = Home(tmp_path).ensure()
    pull(home, "attendance", maria)
    before = raw_rows(home, "attendance/exceptions", ["_line_number"], "powerschool:ATTENDANCE")
    first, second = before[0][0], before[1][0]
    engine = sa.create_engine(maria)
    with engine.connect() as db:
        # Rows changed in the very instant of the mark are read again (a closed range).
        at_mark = db.exec_driver_sql(
            "select count(*) from ATTENDANCE "
            "where WhenModified = (select max(WhenModified) from ATTENDANCE)"
        ).scalar()
    engine.dispose()
    execute(
        maria,
        # A new school day: 3 rows copied onto the next date, with new keys.
        "insert into ATTENDANCE select ID + 10000000, StudentID, SchoolID, "
        "Att_Date + interval 1 year, Attendance_CodeID, Att_Mode_Code, Total_Minutes, "
        "Att_Comment, YearID, '2026-06-19 02:00:00' from ATTENDANCE order by ID limit 3",
        f"update ATTENDANCE set Total_Minutes = 17, WhenModified = '2026-06-19 02:00:00' "
        f"where ID = {first}",
        f"delete from ATTENDANCE where ID = {second}",
    )
    result = pull(home, "attendance", maria, key_check_days=7)
    assert result.tables["ATTENDANCE"].changed == 4  # 3 inserted + 1 updated, nothing else read
    assert result.tables["ATTENDANCE"].deleted == 0  # the key check is not due yet
    # Loaded as an increment: the 4 changed rows only, under the feed's increment name.
    increment = [r for r in audit(home) if "(increment " in r[1]]
    assert [(r[0], r[4]) for r in increment] == [("attendance__exceptions", 4)]
    after = feed_rows(
        home, "attendance/exceptions", ["_line_number", "Minutes"], "powerschool:ATTENDANCE"
    )
    assert len(after) == len(before) + 3
    assert (first, "17") in after
    deltas = [p for p in home.archive.rglob("*-powerschool.ATTENDANCE.*.parquet")]
    with duckdb.connect() as con:
        sizes = sorted(con.execute(f"select count(*) from '{p}'").fetchone()[0] for p in deltas)
    # The incremental pull read (and archived) the 4 changed rows and the mark's instant only.
    assert sizes[0] == 4 + at_mark < len(before) / 10
    result = pull(home, "attendance", maria, key_check_days=0)
    assert result.tables["ATTENDANCE"].deleted == 1
    # A deletion loads the feed whole again (an increment cannot take a row back).
    args = (home, "attendance/exceptions", ["_line_number"], "powerschool:ATTENDANCE")
    keys = {r[0] for r in raw_rows(*args)}
    assert keys == {r[0] for r in feed_rows(*args)}
    assert second not in keys and first in keys
    assert len(keys) == len(before) + 2
    # The mirror again from the archive alone (no server): the same rows.
    state = load_state(home, "attendance").tables["ATTENDANCE"]
    with duckdb.connect() as con:
        rebuilt = replay(con, home, "powerschool", "ID", "WhenModified", "ATTENDANCE", tmp_path)
        same = "select * from read_parquet('{}') order by all"
        assert (
            con.execute(same.format(rebuilt)).fetchall()
            == con.execute(same.format(state.mirror)).fetchall()
        )


def test_the_sis_database_pull_is_incremental_and_finds_deleted_enrollments(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    """PostgreSQL, OneRoster tables: a changed user (its dateLastModified moved) is the only
    row the next pull changes; enrollments deleted are found by the key comparison."""
    _, pg = databases
    home = Home(tmp_path).ensure()
    pull(home, "sis", pg)
    engine = sa.create_engine(pg)
    with engine.begin() as db:
        user = db.exec_driver_sql(
            "select \"sourcedId\" from users where role = 'student' order by 1 limit 1"
        ).scalar()
        gone = db.exec_driver_sql(
            f"delete from enrollments where \"userSourcedId\" = '{user}'"
        ).rowcount
        db.exec_driver_sql(
            'update users set "givenName" = \'Zed\', "dateLastModified" = now() '
            f"where \"sourcedId\" = '{user}'"
        )
    engine.dispose()
    result = pull(home, "sis", pg, key_check_days=0)
    changed = {
        t: (m.changed, m.deleted) for t, m in result.tables.items() if m.changed or m.deleted
    }
    assert gone > 0 and changed == {"users": (1, 0), "enrollments": (0, gone)}
    assert {r["source_file"] for r in result.loads} == {"oneroster:users", "oneroster:enrollments"}
    names = raw_rows(home, "sis/users", ["sourcedId", "givenName"], "oneroster:users")
    assert (user, "Zed") in names


def test_a_repeated_pull_loads_nothing_new(databases: tuple[str, str], tmp_path: Path) -> None:
    maria, pg = databases
    home = Home(tmp_path).ensure()
    pull(home, "attendance", maria)
    pull(home, "sis", pg)
    loads = audit(home)
    state = (home.raw / "_databases" / "attendance" / "state.json").read_text()
    again = pull(home, "attendance", maria, key_check_days=0)
    assert not again.loads and not again.failed
    assert pull(home, "sis", pg).loads == []
    assert audit(home) == loads
    assert load_state(home, "attendance").tables["ATTENDANCE"].mark is not None
    assert state.count("mark") == (
        home.raw / "_databases" / "attendance" / "state.json"
    ).read_text().count("mark")


def test_an_interrupted_pull_then_a_pull_gives_the_same_raw_as_one_pull(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    """Killed while it reads 300,000 new rows (or wherever it is when the signal comes), then
    pulled again: the raw rows equal those of a single pull into a fresh data folder."""
    maria, _ = databases
    home = Home(tmp_path / "killed").ensure()
    pull(home, "attendance", maria)
    execute(
        maria,
        "insert into ATTENDANCE select 20000000 + seq, 1, 101, '2026-05-01', 1, "
        "'ATT_ModeDaily', 30, null, 35, '2026-06-20 00:00:00' from seq_1_to_300000",
    )
    env = {**os.environ, "DW_TEST_DB_URL": maria}
    child = subprocess.Popen(
        [sys.executable, "-m", "connectors.databases.pull", "--source", "attendance",
         "--url-env", "DW_TEST_DB_URL", "--home", str(home.root)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(6)
    child.send_signal(signal.SIGKILL)
    child.wait()
    pull(home, "attendance", maria)
    fresh = Home(tmp_path / "fresh").ensure()
    pull(fresh, "attendance", maria)
    columns = ["_line_number", *EXCEPTIONS]
    once = raw_rows(fresh, "attendance/exceptions", columns, "powerschool:ATTENDANCE")
    assert len(once) > 300_000
    # The killed pull's rows came as an increment on top of the first pull's whole load.
    assert feed_rows(home, "attendance/exceptions", columns, "powerschool:ATTENDANCE") == once


def test_a_server_that_is_down_fails_with_a_clear_message_and_keeps_the_last_pull(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    maria, _ = databases
    home = Home(tmp_path).ensure()
    pull(home, "attendance", maria)
    loads = audit(home)
    down = f"mysql+pymysql://reader:s3cret-pw@127.0.0.1:{free_port()}/powerschool"
    with pytest.raises(DatabaseUnavailableError) as caught:
        pull(home, "attendance", down)
    message = str(caught.value)
    assert "127.0.0.1" in message and "did not answer" in message
    assert "s3cret-pw" not in message
    assert audit(home) == loads  # nothing written: the raw tables keep the last pull


def test_schema_drift_is_reported_and_the_load_goes_on_while_needed_columns_are_there(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    maria, _ = databases
    home = Home(tmp_path).ensure()
    pull(home, "attendance", maria)
    execute(
        maria,
        "alter table ATTENDANCE rename column Att_Comment to Att_Note",
        "alter table STUDENTS drop column Gender",
    )
    result = pull(home, "attendance", maria)
    assert set(result.drift) == {
        "ATTENDANCE: column Att_Comment renamed to Att_Note?",
        "STUDENTS: dropped Gender",
    }
    assert not result.failed
    warnings = {r["source_file"]: r["warning"] for r in result.loads}
    assert "renamed to Att_Note" in warnings["powerschool:ATTENDANCE"]
    # Optional columns gone read as NULL; the rows are all there.
    assert len(raw_rows(home, "attendance/students", STUDENTS, "powerschool:STUDENTS")) == 300
    execute(maria, "alter table ATTENDANCE add column Att_Interval int")
    assert pull(home, "attendance", maria).drift == ["ATTENDANCE: added Att_Interval"]
    execute(maria, "alter table ATTENDANCE drop column Att_Date")
    result = pull(home, "attendance", maria)
    assert "Att_Date" in result.failed["ATTENDANCE"]
    assert set(result.failed) == {"ATTENDANCE"}  # the students and calendar feeds go on


def materialize_pull(home: Home, url: str):  # noqa: ANN201 (Dagster's ExecuteInProcessResult)
    from dagster import materialize
    from dagster_dlt import DagsterDltResource

    from orchestration.defs.databases.assets import database_asset
    from orchestration.defs.databases.resources import DatabaseSources
    from orchestration.resources import DistrictwideHome

    return materialize(
        [database_asset("attendance")],
        resources={
            "home": DistrictwideHome(root=str(home.root)),
            "dlt": DagsterDltResource(),
            "databases": DatabaseSources(attendance_url=url),
        },
        raise_on_error=False,
    )


def test_the_dagster_assets_pull_through_dagster_dlt_and_a_server_down_fails_them_and_emails_it(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    """Through dagster-dlt: an asset per PowerSchool table, with the pull's counts. With the
    server down the step fails saying which server and why, the raw tables keep the last pull,
    and district IT gets an email naming the server (never the password)."""
    maria, _ = databases
    home = Home(tmp_path).ensure()
    run = materialize_pull(home, maria)
    assert run.success
    done = {
        m.asset_key.path[-1]: m.metadata for m in run.get_asset_materialization_events()
        for m in [m.event_specific_data.materialization]
    }  # fmt: skip
    assert set(done) == {"SCHOOLS", "STUDENTS", "ATTENDANCE_CODE", "ATTENDANCE", "CALENDAR_DAY"}
    assert done["ATTENDANCE"]["rows_changed"].value > 1000
    loads = audit(home)
    down = f"mysql+pymysql://reader:s3cret-pw@127.0.0.1:{free_port()}/powerschool"
    run = materialize_pull(home, down)
    assert not run.success
    failure = next(e for e in run.all_events if e.event_type_value == "STEP_FAILURE")
    text = failure.event_specific_data.error.message
    assert "attendance database not pulled" in text and "did not answer" in text
    assert "s3cret-pw" not in text
    assert audit(home) == loads
    emails = [p.read_text() for p in (home.root / "alerts").rglob("*.eml")]
    told = [e for e in emails if "attendance database: could not be read" in e]
    assert len(told) == 1 and "127.0.0.1" in told[0] and "s3cret-pw" not in told[0]


@pytest.fixture
def database_definitions(monkeypatch: pytest.MonkeyPatch):
    """The code location loaded again with the attendance database configured, and again
    without it afterwards (the definitions are cached per process)."""
    from orchestration.definitions import load_definitions

    monkeypatch.setenv("DISTRICTWIDE_DATABASE_SOURCES", "attendance")
    load_definitions.cache_clear()
    yield
    monkeypatch.delenv("DISTRICTWIDE_DATABASE_SOURCES")
    load_definitions.cache_clear()


def served(home: Home, sql: str) -> int:
    with duckdb.connect(str(home.serving), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def test_a_consolidated_load_with_the_attendance_server_down_publishes_the_rest_with_its_last_pull(
    databases: tuple[str, str],
    generated: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_definitions: None,
) -> None:
    """Attendance from MariaDB, the rest from files, one consolidated load. Then the server is
    down: the pull step fails, the SIS's new files are still loaded and the marts published,
    with the attendance rows of the last pull."""
    from dagster import DagsterInstance

    from districtwide.running import run_consolidated_load

    maria, _ = databases
    shutil.copytree(generated, tmp_path / "home")
    home = Home(tmp_path / "home").ensure()
    shutil.rmtree(home.landing / "attendance")
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(home.root))
    monkeypatch.setenv("DISTRICTWIDE_ATTENDANCE_DB_URL", maria)
    first = run_consolidated_load(DagsterInstance.ephemeral())
    assert first.success
    exceptions = "select count(*) from marts.fct_attendance_exception_day"
    days = served(home, exceptions)
    assert days > 1000
    # A new SIS delivery: the first user's given name corrected.
    users = home.landing / "sis" / "users.csv"
    with users.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[1][rows[0].index("givenName")] += "x"
    with users.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    monkeypatch.setenv("DISTRICTWIDE_ATTENDANCE_DB_URL", f"{MARIADB}:1/none".replace(":3306", ""))
    second = run_consolidated_load(DagsterInstance.ephemeral())
    assert not second.success
    failed = {e.step_key for e in second.all_events if e.event_type_value == "STEP_FAILURE"}
    assert failed == {"pull_attendance_database"}
    published = {
        e.event_specific_data.materialization.asset_key.to_user_string(): (
            e.event_specific_data.materialization.metadata
        )
        for e in second.get_asset_materialization_events()
    }
    assert "serving/marts" in published
    assert published["raw/sis/users"]["files_loaded"].value == ["sis/users.csv"]
    assert served(home, exceptions) == days
