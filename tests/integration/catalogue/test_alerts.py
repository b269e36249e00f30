"""The fault catalogue, alerts and what they stand on (issue 17, points 3, 5 and 7): alerts that
tell the right people what actually happened, over a real SMTP server (aiosmtpd on loopback),
with real faults: a real DuckDB lock and out-of-memory error, a real ENOSPC from /dev/full, real
files through landing and real Dagster runs; growth rows labelled with the school their students
were counted at; one writer of the warehouse at a time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from dagster import (
    AssetCheckKey,
    AssetKey,
    AssetSelection,
    DagsterInstance,
    Definitions,
    QueuedRunCoordinator,
    asset,
    define_asset_job,
)

from alerts import CheckFailure, send_alerts, send_run_failure
from alerts.after_run import alert_after_run
from alerts.causes import crash_cause
from alerts.send_files import send_file_alerts
from connectors.home import Home
from connectors.landing import ensure_empty_audit
from connectors.load import district_layouts, load_landing
from connectors.problems import file_problems
from connectors.raw import ensure_schema_files
from connectors.single_writer import WarehouseLocked, free_working_warehouse
from connectors.tables import RAW_TABLES
from connectors.warehouse import marts_path
from districtwide.running import load_and_alert
from orchestration.definitions import defs
from orchestration.instance.config import write_instance_yaml
from orchestration.resources import LOAD_JOBS, DistrictwideHome
from settings import EXAMPLE_CONFIG, DistrictConfig, load_config
from settings.goals import write_goals
from tests.conftest import REPO, generate, run_load
from tests.fixtures.alerts import NIGHT, UNMAPPED, smtp_inbox
from tests.fixtures.dbt import run_dbt

pytestmark = [pytest.mark.integration, pytest.mark.smtp]


@pytest.fixture
def config() -> DistrictConfig:
    return load_config(EXAMPLE_CONFIG)


@pytest.fixture
def inbox():
    with smtp_inbox() as (inbox, env):
        yield inbox, env


def stewards(config: DistrictConfig, domain: str) -> set[str]:
    return {c.email for c in config.domain(domain).stewards}


def it_desk(config: DistrictConfig) -> set[str]:
    return {c.email for c in config.district_it}


def test_a_different_failure_later_the_same_day_is_sent(config, inbox, tmp_path: Path) -> None:
    """Case 17.5 dedup key is the failure itself: the same check failing on other codes two
    hours later is a new failure and is sent; the same failure again with other counts is a
    repeat and is not; a crash of the same job, step and type but another cause is sent."""
    received, env = inbox
    first = UNMAPPED
    other = CheckFailure(**{**first.__dict__, "observed": "1 unmapped code: XYZ"})
    grown = CheckFailure(
        **{**first.__dict__, "observed": "3 unmapped codes: EXC, UNX, 7T ", "unexpected_count": 57}
    )
    runs = [(first, 0), (other, 2), (grown, 3), (first, 4)]
    reports = [
        send_alerts(
            [f], [], config, f"run-{i}", state_dir=tmp_path, now=NIGHT + timedelta(hours=h), env=env
        )
        for i, (f, h) in enumerate(runs)
    ]
    assert [r.deliveries[0].status for r in reports] == ["sent", "sent", "sent", "suppressed"]
    bodies = [m.get_content() for _, m in received.received]
    assert "EXC, UNX, 7T" in bodies[0] and "XYZ" in bodies[1] and "EXC, UNX, 7T" in bodies[2]
    assert all(rcpt == sorted(stewards(config, "attendance")) for rcpt, _ in received.received)

    crashes = [
        'IO Error: Could not set lock on file "/srv/dw/warehouse/warehouse.duckdb": '
        "Conflicting lock is held in /usr/bin/python3 (PID 4242) by user analyst",
        'IO Error: Could not set lock on file "/srv/dw/warehouse/warehouse.duckdb": '
        "Conflicting lock is held in /usr/bin/python3 (PID 5151) by user analyst",
        'IO Error: Could not write file "/srv/dw/warehouse/warehouse.duckdb.wal": '
        "No space left on device",
    ]
    statuses = [
        send_run_failure(
            message,
            config,
            f"crash-{i}",
            state_dir=tmp_path,
            now=NIGHT + timedelta(hours=5 + i),
            job_name="consolidated_load",
            step="dbt_models",
            error_type="IOException",
            env=env,
        )
        .deliveries[0]
        .status
        for i, message in enumerate(crashes)
    ]
    # The same lock held by another PID is the same failure; the full disk is another one.
    assert statuses == ["sent", "suppressed", "sent"]
    subjects = received.subjects()[-2:]
    assert "(lock held)" in subjects[0] and "(disk full)" in subjects[1]


def test_an_unreadable_file_goes_to_its_stewards_and_district_it(
    config, inbox, tmp_path: Path
) -> None:
    """Case 17.5 unreadable file: a binary file dropped in landing/attendance/ reaches the
    attendance stewards (who can have it re-exported) and district IT in one email; a readable
    file whose header no layout knows stays district IT's. Both are archived unchanged."""
    received, env = inbox
    home = Home(tmp_path / "data").ensure()
    binary = b"PK\x03\x04\x00\x00\x00binary\x00export" * 20
    (home.landing / "attendance").mkdir(parents=True, exist_ok=True)
    (home.landing / "attendance" / "absences.xlsx.csv").write_bytes(binary)
    (home.landing / "assessment").mkdir(parents=True, exist_ok=True)
    (home.landing / "assessment" / "mystery.csv").write_text("colour,flavour\nred,sweet\n")
    load_landing(home)
    problems = file_problems(home, district_layouts(home))
    assert {p.source_path for p in problems} == {
        "attendance/absences.xlsx.csv",
        "assessment/mystery.csv",
    }

    report = send_file_alerts(
        problems, config, "run-files", state_dir=tmp_path / "alerts", now=NIGHT, env=env
    )

    assert sorted(d.status for d in report.deliveries) == ["sent", "sent"]
    unreadable = [m for _, m in received.received if "absences.xlsx.csv" in str(m["Subject"])]
    (message,) = unreadable
    (rcpt,) = [r for r, m in received.received if m is message]
    assert set(rcpt) == stewards(config, "attendance") | it_desk(config)
    body = message.get_content()
    assert "could not be read" in body and "binary data" in body
    assert "landing/attendance/absences.xlsx.csv" in body
    listing = [m for rcpt, m in received.received if "recognized by no layout" in str(m["Subject"])]
    (listed,) = listing
    assert "mystery.csv" in listed.get_content() and "absences.xlsx.csv" not in listed.get_content()
    # Nothing is lost: both files are in the archive as delivered.
    by_path = {p.source_path: p for p in problems}
    assert Path(by_path["attendance/absences.xlsx.csv"].archive_path).read_bytes() == binary
    # Once per file bytes: the next run says nothing new.
    again = send_file_alerts(
        problems, config, "run-files-2", state_dir=tmp_path / "alerts", now=NIGHT, env=env
    )
    assert again.deliveries == [] and len(received.received) == 2


def test_other_domains_are_not_told_the_marts_were_published(
    config, inbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Case 17.5 publish wording, a real load: a district's first delivery whose SIS has an
    active student at a school with no enrollment there (the blocking rule
    students_without_enrollment_span, on a conformed model: nothing to hold back, so the
    publication stops). The attendance stewards, whose checks only warned, are told the marts
    were NOT published because a blocking check failed on sis, never "today's marts WERE
    published"; the SIS stewards that their blocking check stopped it. No email names the
    student."""
    received, env = inbox
    generate(tmp_path, 200, 11)
    users = tmp_path / "landing" / "sis" / "users.csv"
    student = ("990001", "Marrowby", "Ilse", "7700990001")  # sourcedId, names, state ID
    users.write_text(
        users.read_text()
        + f"{student[0]},active,2026-06-18T02:00:00.000Z,true,SCH02,student,s{student[0]},,"
        f"{student[2]},{student[1]},,{student[3]},,,,,07,\n"
    )
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(tmp_path))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    home = Home(tmp_path).ensure()

    run = load_and_alert(home)

    assert not run.success and not home.serving.exists(), "nothing was published"
    by_domain = {str(m["X-Districtwide-Domain"]): m.get_content() for _, m in received.received}
    assert {"sis", "attendance"} <= set(by_domain), received.subjects()
    sis = by_domain["sis"]
    assert "a blocking check failed, so TODAY'S MARTS WERE NOT PUBLISHED" in sis
    assert "students_without_enrollment_span" in sis and "blocking: stopped today's publish" in sis
    attendance = by_domain["attendance"]
    assert "only warnings failed on this source, but TODAY'S MARTS WERE NOT PUBLISHED" in attendance
    assert "(a blocking check failed on sis)" in attendance
    assert "WERE published" not in attendance
    everything = "\n".join(f"{m['Subject']}\n{m.get_content()}" for _, m in received.received)
    assert not any(value in everything for value in student)


HOLD = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
    print("holding", flush=True)
    time.sleep(120)
    """
)


def test_crash_emails_name_the_cause(config, inbox, tmp_path: Path) -> None:
    """Case 17.5 crash causes: a DuckDB file locked by an analyst's process (named by PID, the
    file path intact), DuckDB out of memory and a full disk (ENOSPC from /dev/full) each name
    their cause and what to do; the scrubber keeps "can't" and the path, blanks a quoted value."""
    received, env = inbox
    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    analyst = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), "ro"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert analyst.stdout.readline().strip() == "holding"
        with pytest.raises(duckdb.IOException) as locked:
            duckdb.connect(str(path))
    finally:
        analyst.kill()
        analyst.wait()
    con = duckdb.connect()
    con.execute("set memory_limit = '16MB'")
    con.execute("set temp_directory = ''")
    with pytest.raises(duckdb.OutOfMemoryException) as oom:
        con.execute("select string_agg(x::varchar, ',') from range(20000000) t(x)").fetchall()
    with pytest.raises(OSError) as full, open("/dev/full", "w") as handle:  # noqa: PTH123
        handle.write("x")
        handle.flush()

    errors = [locked.value, oom.value, full.value]
    for i, error in enumerate(errors):
        send_run_failure(
            error,
            config,
            f"run-{i}",
            state_dir=tmp_path / "alerts",
            now=NIGHT,
            step="dbt_models",
            env=env,
        )
    lock_mail, oom_mail, disk_mail = (m for _, m in received.received)
    assert all(rcpt == sorted(it_desk(config)) for rcpt, _ in received.received)
    assert "(lock held)" in str(lock_mail["Subject"])
    lock_body = lock_mail.get_content()
    assert f"locked by process {analyst.pid}" in lock_body
    assert f'"{path}"' in lock_body  # the quoted path is kept whole
    assert "serving/districtwide.duckdb" in lock_body
    assert "(out of memory)" in str(oom_mail["Subject"])
    assert "DISTRICTWIDE_DUCKDB_MEMORY" in oom_mail.get_content()
    assert "(disk full)" in str(disk_mail["Subject"])
    assert "No space left on device" in disk_mail.get_content()

    send_run_failure(
        RuntimeError("can't cast 'Ana Lopez' in 'stg_sis__users': the district's file"),
        config,
        "run-quotes",
        state_dir=tmp_path / "alerts",
        now=NIGHT,
        env=env,
    )
    quoted = received.received[-1][1].get_content()
    assert "can't cast '…' in 'stg_sis__users': the district's file" in quoted
    assert "Ana Lopez" not in quoted


def _dagster_run(tmp_path: Path, body) -> tuple[DagsterInstance, str]:
    """One real in-process Dagster run of a job of `body`'s assets and checks."""
    job = define_asset_job("consolidated_load")
    defs = Definitions(assets=body["assets"], asset_checks=body.get("checks", []), jobs=[job])
    instance = DagsterInstance.ephemeral()
    result = defs.resolve_job_def("consolidated_load").execute_in_process(
        instance=instance, raise_on_error=False
    )
    return instance, result.run_id


# A dbt data test over the enrollment fact that runs out of DuckDB memory at 3 MB while dbt can
# still open the warehouse (measured here: out of memory from 2.5 to 4 MB at 200 students with
# 1 to 8 DuckDB threads, and at 3 MB on the 1,500-student district; dbt cannot open it at 2 MB).
OOM_TEST = AssetCheckKey(
    AssetKey(["marts", "fct_enrollment"]),
    "no_overlapping_spans_fct_enrollment_exit_date__enrollment_key__student_key__entry_date",
)


def test_dbt_tests_that_errored_go_to_district_it_as_a_crash(
    config, inbox, district, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Case 17.5 errored dbt tests, a real run: a loaded district's warehouse, the real dbt asset
    of the code location running one of its data tests with DuckDB's memory capped at 3 MB
    (DISTRICTWIDE_DUCKDB_MEMORY, as a district sets it): dbt reports the test as an error, out of
    memory. That is not a failed data check: district IT gets a crash email naming the test and
    the cause, and no steward is emailed."""
    received, env = inbox
    home = Home(tmp_path / "data").ensure()
    shutil.copytree(district.home.warehouse_dir, home.warehouse_dir, dirs_exist_ok=True)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(home.root))
    monkeypatch.setenv("DISTRICTWIDE_DUCKDB_MEMORY", "3MB")
    job = define_asset_job("consolidated_load_tests", selection=AssetSelection.checks(OOM_TEST))
    code = Definitions.merge(defs(), Definitions(jobs=[job]))
    instance = DagsterInstance.ephemeral()

    result = code.resolve_job_def(job.name).execute_in_process(
        instance=instance, raise_on_error=False
    )
    alert_after_run(instance, result.run_id, home, config)

    assert not result.success
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.asset_check_key == OOM_TEST and not evaluation.passed
    assert str(evaluation.metadata["status"].value) == "error"
    (crash,) = [m for rcpt, m in received.received if set(rcpt) == it_desk(config)]
    assert "run failed (out of memory)" in str(crash["Subject"])
    body = crash.get_content()
    assert f"dbt tests that errored (not a data failure): {OOM_TEST.name}" in body
    assert "DISTRICTWIDE_DUCKDB_MEMORY" in body and "The data stewards were not emailed" in body
    assert len(received.received) == 1, received.subjects()


def test_a_full_disk_does_not_stop_the_alerts(config, inbox, tmp_path: Path) -> None:
    """Case 17.5 disk full: a run crashes on ENOSPC and the alert state cannot be saved (its file
    is on the full disk: /dev/full); district IT's crash email naming the full disk goes, and so
    does the steward's email about an unreadable file after it."""
    received, env = inbox
    home = Home(tmp_path / "data").ensure()
    (home.landing / "sis").mkdir(parents=True, exist_ok=True)
    (home.landing / "sis" / "users.csv").write_bytes(b"")  # empty: unreadable
    load_landing(home)
    state_dir = home.root / "alerts"
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "alert_state.tmp").symlink_to("/dev/full")

    @asset(name="land_raw_tables")
    def land() -> None:
        with open("/dev/full", "w") as handle:  # noqa: PTH123
            handle.write("raw rows")
            handle.flush()

    instance, run_id = _dagster_run(tmp_path, {"assets": [land]})
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        reports = alert_after_run(instance, run_id, home, config)

    assert [d.status for r in reports for d in r.deliveries] == ["sent", "sent"]
    crash = [m for rcpt, m in received.received if set(rcpt) == it_desk(config)]
    assert len(crash) == 1 and "(disk full)" in str(crash[0]["Subject"])
    assert "No space left on device" in crash[0].get_content()
    to_sis = [m for rcpt, m in received.received if stewards(config, "sis") <= set(rcpt)]
    assert len(to_sis) == 1 and "landing/sis/users.csv" in to_sis[0].get_content()
    assert not (state_dir / "alert_state.json").exists()


def test_growth_rows_carry_the_school_the_students_were_counted_at(tmp_path: Path) -> None:
    """Case 17.3 school labels: a teacher who moved from school A to school B; growth per
    teacher has one row per school, school B's row holds only school B's students, and the
    report a school role filters on is labelled with that school, never the teacher's home
    school (dbt unit tests `teacher_growth_per_school_the_students_were_counted_at` and
    `teacher_growth_labelled_with_the_school_counted_at`, run here through dbt)."""
    home = Home(tmp_path).ensure()
    ensure_empty_audit(home)
    for spec in RAW_TABLES:
        ensure_schema_files(home.raw, spec)
    write_goals(home, goals=())
    tests = (
        "teacher_growth_per_school_the_students_were_counted_at",
        "teacher_growth_labelled_with_the_school_counted_at",
    )
    run_dbt(
        tmp_path,
        ["build", "--select", "+rpt_growth_by_teacher", "--exclude", "test_type:data"],
        tmp_path / "dbt_target",
    )
    results = json.loads((tmp_path / "dbt_target" / "run_results.json").read_text())
    statuses = {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results["results"]}
    assert all(statuses[name] == "pass" for name in tests), statuses


def test_an_analyst_holding_the_working_warehouse_does_not_stop_the_build(tmp_path: Path) -> None:
    """Case 17.7 analyst holds warehouse.duckdb read-only: before the build writes it, the load
    copies the file and renames the copy over it; the analyst keeps reading the old file, the
    build can open the new one for writing, nothing in it is lost, and the message names the
    holder's PID and the served copy analysts should open. A process holding it for writing
    stops the load with a message naming its PID (and the crash email names the lock)."""
    home = Home(tmp_path).ensure()
    home.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute("create table marts_rows as select range as n from range(1000)")
    analyst = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(home.warehouse), "ro"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert analyst.stdout.readline().strip() == "holding"
        with pytest.raises(duckdb.IOException, match=f"PID {analyst.pid}"):
            duckdb.connect(str(home.warehouse))  # what dbt met before
        notes = free_working_warehouse(home)
        with duckdb.connect(str(home.warehouse)) as con:  # the build's write now succeeds
            assert con.execute("select count(*) from marts_rows").fetchone()[0] == 1000
            con.execute("insert into marts_rows values (1000)")
        assert analyst.poll() is None  # the analyst's session goes on, undisturbed
    finally:
        analyst.kill()
        analyst.wait()
    (note,) = notes
    assert f"process {analyst.pid}" in note and str(home.serving) in note

    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(home.warehouse), "rw"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "holding"
        with pytest.raises(WarehouseLocked) as locked:
            free_working_warehouse(home)
    finally:
        writer.kill()
        writer.wait()
    message = str(locked.value)
    assert f"(PID {writer.pid})" in message and str(home.serving) in message
    cause = crash_cause(message)
    assert cause is not None and cause.name == "lock held"
    assert f"process {writer.pid}" in cause.explanation


HOLD_LOAD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from connectors.single_writer import hold_load
    fd = hold_load(Path(sys.argv[1]), "cli-load")
    print("loading", flush=True)
    time.sleep(float(sys.argv[2]))
    """
)


def test_a_second_load_waits_for_the_first(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Case 17.7 two loads at once: a `districtwide load` (another process, outside Dagster's
    run queue) holds the load lock; a consolidated_load run started meanwhile waits for it,
    saying which process and run it waits for, then runs, instead of failing on DuckDB's lock.
    Another job (publishing dashboards) does not wait."""
    first = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOAD, str(tmp_path), "4"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert first.stdout.readline().strip() == "loading"
    started: dict[str, float] = {}

    @asset(name="land_raw_tables")
    def land(home: DistrictwideHome) -> None:
        started["at"] = time.monotonic()
        started["first_done"] = first.poll() is not None

    clock = time.monotonic()
    defs = Definitions(
        assets=[land],
        jobs=[define_asset_job("consolidated_load"), define_asset_job("publish_dashboards")],
        resources={"home": DistrictwideHome(root=str(tmp_path))},
    )
    other = defs.resolve_job_def("publish_dashboards").execute_in_process(
        instance=DagsterInstance.ephemeral()
    )
    assert other.success and not started["first_done"] and started["at"] - clock < 3.5
    with caplog.at_level("WARNING", logger="connectors.single_writer"):
        result = defs.resolve_job_def("consolidated_load").execute_in_process(
            instance=DagsterInstance.ephemeral()
        )
    first.wait()
    assert result.success and started["first_done"]
    waited = [r.getMessage() for r in caplog.records if "waits for it" in r.getMessage()]
    assert len(waited) == 1
    assert f"PID {first.pid}, run cli-load" in waited[0] and result.run_id in waited[0]


def test_the_schedule_and_the_landing_sensor_never_run_two_loads_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Case 17.7 queued runs: the Dagster instance `make` writes queues runs (Dagster's
    QueuedRunCoordinator) and launches at most one at a time, and the nightly schedule and the
    landing sensor both start the one job, consolidated_load, whose runs also hold the load lock
    (the test above): a sensor run requested during the nightly run waits in the queue."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    write_instance_yaml(tmp_path / "dagster.yaml", "sqlite")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        # What the daemon's queue reads (the coordinator's own default, 10, is overridden).
        queue = instance.get_concurrency_config().run_queue_config
        assert queue is not None and queue.max_concurrent_runs == 1
    definitions = defs()
    schedule = definitions.resolve_schedule_def("nightly_consolidated_load")
    sensor = definitions.resolve_sensor_def("landing_sensor")
    assert schedule.job_name == sensor.job_name == "consolidated_load"
    assert "consolidated_load" in LOAD_JOBS


ANALYST = textwrap.dedent(
    """
    import sys, time, duckdb
    warehouse = duckdb.connect(sys.argv[1], read_only=True)
    marts = duckdb.connect(sys.argv[2], read_only=True)
    print(marts.execute("select count(*) from marts.marts.dim_student").fetchone()[0], flush=True)
    sys.stdin.readline()
    print(marts.execute("select count(*) from marts.marts.dim_student").fetchone()[0], flush=True)
    """
)


def test_a_load_goes_on_while_an_analyst_reads_the_working_warehouse(tmp_path: Path) -> None:
    """Case 17.7 end to end: a generated district loaded once; an analyst opens warehouse.duckdb
    and marts.duckdb read-only and keeps them open; the next consolidated load succeeds and
    publishes, and the analyst's session still reads its (old) files after it."""
    generate(tmp_path, 200, 11)
    home = Home(tmp_path).ensure()
    assert run_load(home).success
    served = home.serving.stat().st_ino
    analyst = subprocess.Popen(
        [sys.executable, "-c", ANALYST, str(home.warehouse), str(marts_path(home.warehouse))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        before = int(analyst.stdout.readline())
        result = run_load(home)
        analyst.stdin.write("\n")
        analyst.stdin.flush()
        after = int(analyst.stdout.readline())
    finally:
        analyst.kill()
        analyst.wait()
    assert result.success
    assert before == after > 0
    events = result.get_asset_materialization_events()
    assert any(e.asset_key.path == ["serving", "marts"] for e in events)  # published again
    assert home.serving.stat().st_ino != served  # the served copy was replaced (renamed over)
