"""The fault catalogue, kill -9 (issue 17, the strong parts that must keep holding): a real
`districtwide load` of a new delivery, killed with SIGKILL (its whole process group) inside each
phase, landing, dbt, the quality checks and the publication, leaves the served copy valid and
unchanged; a rerun then gives exactly the marts of an uninterrupted load of the same deliveries;
and a reader opening the served copy over and over through a whole load sees the old marts, then
the new ones, and never an error.

One small district (200 students) is loaded once; its data folder is copied twice, and the same
second delivery (another generated district's files under the same names) dropped in each copy.
One copy is loaded without interruption, a reader looping on its served copy meanwhile. The other
is loaded four times, each run killed in the next phase; each kill is checked on its own, and
the run after the four kills is compared with the uninterrupted load, mart by mart, row by row.
A kill is made when the phase is seen doing its work, not after a guessed delay: its step has
started in the run's Dagster event log (the load's `$DAGSTER_HOME` instance) and its files are
being written (a new archive copy, dbt's compiled SQL, the warehouse open for the checks, the
served copy's `.building.duckdb`); the killed run's event log must then show that step started
and not ended.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterEventType, DagsterInstance

from connectors.home import Home
from connectors.landing import LEFTOVERS
from tests.conftest import generate, run_load
from tests.fixtures.cli import districtwide_load, start_districtwide_load

pytestmark = pytest.mark.integration

STUDENTS = 200
# The table of per-run check counts grows by one run each time the checks finish, killed or not
# (see `same_marts`); its rows name their run.
RUN_NAMING = frozenset({"run_id", "checked_at", "quality_checks_by_run_key"})
RUN_HISTORY = "rpt_quality_checks_by_run"


@dataclass(frozen=True)
class Phase:
    step: str  # the Dagster step (op) of the consolidated_load job
    working: Callable[[Home, int, float], bool]  # (home, pid, step start) -> its work is seen


def _written_since(folder: Path, since: float) -> bool:
    """A file under `folder` written since `since`. A file or folder gone while listed (the dbt
    runner renames its last build's SQL folders aside) is no answer yet: the next poll looks
    again."""
    try:
        return any(p.is_file() and p.stat().st_mtime >= since for p in folder.rglob("*"))
    except FileNotFoundError:
        return False


def _holds_open(pid: int, path: Path) -> bool:
    fds = Path(f"/proc/{pid}/fd")
    try:
        return any(os.readlink(fd) == str(path) for fd in fds.iterdir())
    except OSError:  # an fd closed while listed
        return False


PHASES = {
    # A new archive copy (or its .part) written since landing started.
    "landing": Phase("land_raw_tables", lambda h, pid, t: _written_since(h.archive, t)),
    # dbt has compiled and run SQL: files under dbt_target/run written since the build started.
    "dbt": Phase(
        "districtwide_dbt_models", lambda h, pid, t: _written_since(h.root / "dbt_target/run", t)
    ),
    # The suites hold the warehouse open (dbt closed it before the step ended).
    "checks": Phase("data_quality", lambda h, pid, t: _holds_open(pid, h.warehouse)),
    # The new served copy is being built beside the served one.
    "publish": Phase(
        "serving__marts",
        lambda h, pid, t: any(h.serving.parent.glob(f".{h.serving.stem}.*.building.duckdb")),
    ),
}


# Marts holding the time of a load (the "data as of" line): that column is the rerun's own.
LOAD_TIMES = {"rpt_data_as_of": "last_loaded_at"}


def marts_digest(path: Path) -> dict[str, object]:
    """Every mart (tables and views) read whole: per mart its columns, row count and the md5 of
    its rows as text in sorted order; the run history per run. Raises if any mart is unreadable."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "order by table_name"
            ).fetchall()
        ]
        digest: dict[str, object] = {}
        for name in names:
            columns = con.execute(f'describe marts."{name}"').fetchall()
            row, per = "t::varchar", "group by all"
            if name in LOAD_TIMES:
                # When each source last loaded: the reruns load at their own time.
                kept = [f'"{c[0]}"' for c in columns if c[0] != LOAD_TIMES[name]]
                row = f"row({', '.join(kept)})::varchar"
            if name == RUN_HISTORY:
                # One digest per run, in time order, without what names the run.
                kept = [f'"{c[0]}"' for c in columns if c[0] not in RUN_NAMING]
                row, per = (
                    f"row({', '.join(kept)})::varchar",
                    "group by run_id order by max(checked_at)",
                )
            per_run = con.execute(
                f"select count(*), md5(string_agg({row}, chr(10) order by {row})) "
                f'from marts."{name}" as t {per}'
            ).fetchall()
            digest[name] = ([(c[0], c[1]) for c in columns], per_run)
        return digest
    finally:
        con.close()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Kill:
    phase: str
    started: set[str]  # steps the killed run started
    ended: set[str]  # steps it finished or failed
    output: str


def kill_in(phase: str, home: Home, log: Path, timeout: float = 300) -> Kill:
    """Start `districtwide load` on `home` and SIGKILL its process group once `phase` is seen
    at work; what the killed run's event log says it started and ended."""
    wanted = PHASES[phase]
    dagster_home = home.root / "dagster"
    dagster_home.mkdir(exist_ok=True)
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        earlier = {run.run_id for run in instance.get_runs()}
        process = start_districtwide_load(home.root, log)
        deadline = time.monotonic() + timeout
        run_id = None
        step_start = None
        try:
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    pytest.fail(f"the load ended before {phase}: {log.read_text()[-3000:]}")
                try:
                    if run_id is None:
                        new = [r.run_id for r in instance.get_runs() if r.run_id not in earlier]
                        run_id = new[0] if new else None
                    if run_id is not None and step_start is None:
                        step_start = _step_started(instance, run_id, wanted.step)
                except Exception:  # the storage is being written by the load: ask again
                    step_start = None
                if step_start is not None and wanted.working(home, process.pid, step_start):
                    os.killpg(process.pid, signal.SIGKILL)
                    break
                time.sleep(0.02)
            else:
                pytest.fail(f"{phase} not seen within {timeout} s: {log.read_text()[-3000:]}")
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        assert process.returncode == -signal.SIGKILL
        started, ended = _steps(instance, run_id)
    return Kill(phase, started, ended, log.read_text())


def _step_started(instance: DagsterInstance, run_id: str, step: str) -> float | None:
    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.STEP_START).records
    for record in records:
        if record.event_log_entry.dagster_event.step_key == step:
            return record.event_log_entry.timestamp
    return None


def _steps(instance: DagsterInstance, run_id: str) -> tuple[set[str], set[str]]:
    def keys(kind: DagsterEventType) -> set[str]:
        records = instance.get_records_for_run(run_id, of_type=kind).records
        return {r.event_log_entry.dagster_event.step_key for r in records}

    ended = keys(DagsterEventType.STEP_SUCCESS) | keys(DagsterEventType.STEP_FAILURE)
    return keys(DagsterEventType.STEP_START), ended


@dataclass
class Deliveries:
    loaded: Home  # the first delivery, loaded once
    second: Path  # the landing folder of the next delivery

    def copy(self, to: Path) -> Home:
        """The loaded data folder copied, the second delivery dropped into its landing."""
        shutil.copytree(self.loaded.root, to, symlinks=True, ignore=shutil.ignore_patterns("truth"))
        shutil.copytree(self.second, to / "landing", dirs_exist_ok=True)
        return Home(to)


@pytest.fixture(scope="module")
def deliveries(tmp_path_factory: pytest.TempPathFactory) -> Deliveries:
    root = tmp_path_factory.mktemp("kill")
    generate(root / "first", STUDENTS, 11)
    generate(root / "second", STUDENTS, 12)
    home = Home(root / "first").ensure()
    assert run_load(home).success
    return Deliveries(home, root / "second" / "landing")


READER = textwrap.dedent(
    """
    import json, sys, time, duckdb
    from pathlib import Path
    served, stop = sys.argv[1], Path(sys.argv[2])
    sql = "select count(*), sum(hash(t)) from marts.{} as t"
    opens, errors, versions = 0, [], []
    print("reading", flush=True)
    last = False
    while not last:
        last = stop.exists()  # one more read after the load ended: it must see the new marts
        try:
            with duckdb.connect(served, read_only=True) as con:
                seen = [str(v) for name in ("dim_student", "fct_assessment_result")
                        for v in con.execute(sql.format(name)).fetchone()]
            opens += 1
            if not versions or versions[-1] != seen:
                versions.append(seen)
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")
        time.sleep(0.01)
    print(json.dumps({"opens": opens, "errors": errors, "versions": versions}), flush=True)
    """
)


def read_once(served: Path) -> list[str]:
    """What the reader computes, for one open: rows and row hash of two marts."""
    with duckdb.connect(str(served), read_only=True) as con:
        return [
            str(v)
            for name in ("dim_student", "fct_assessment_result")
            for v in con.execute(f"select count(*), sum(hash(t)) from marts.{name} as t").fetchone()
        ]


@dataclass
class Uninterrupted:
    home: Home
    marts: dict[str, object]
    reader: dict
    before: list[str]
    after: list[str]


@pytest.fixture(scope="module")
def uninterrupted(deliveries: Deliveries, tmp_path_factory: pytest.TempPathFactory):
    """The second delivery loaded without interruption, a reader process looping on the served
    copy (open read-only, read two marts, close) from before the load until after it."""
    home = deliveries.copy(tmp_path_factory.mktemp("uninterrupted") / "home")
    before = read_once(home.serving)
    stop = home.root / "stop-reading"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(home.serving), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "reading"
        assert run_load(home).success
        stop.touch()
        seen = json.loads(reader.communicate(timeout=60)[0])
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    return Uninterrupted(home, marts_digest(home.serving), seen, before, read_once(home.serving))


@pytest.fixture(scope="module")
def killed(deliveries: Deliveries, tmp_path_factory: pytest.TempPathFactory) -> Home:
    """The copy whose loads of the second delivery are killed, one phase after another."""
    return deliveries.copy(tmp_path_factory.mktemp("killed") / "home")


@pytest.mark.parametrize("phase", list(PHASES))
def test_a_load_killed_leaves_the_served_copy_valid_and_unchanged(
    phase: str, killed: Home, tmp_path: Path
) -> None:
    """Case 17 kill -9 in `phase`: the served file is the same file, byte for byte (no WAL
    beside it), it opens and every mart reads whole, with the rows it had before the kill."""
    served = killed.serving
    inode, sha, before = served.stat().st_ino, file_sha256(served), marts_digest(served)

    kill = kill_in(phase, killed, tmp_path / "load.log")

    step = PHASES[phase].step
    assert step in kill.started and step not in kill.ended, (kill.started, kill.ended)
    assert "serving__marts" not in kill.ended
    assert served.stat().st_ino == inode and file_sha256(served) == sha
    assert not served.with_name(served.name + ".wal").exists()
    assert marts_digest(served) == before


def test_a_rerun_after_the_kills_gives_the_marts_of_an_uninterrupted_load(
    killed: Home, uninterrupted: Uninterrupted
) -> None:
    """Case 17 rerun: after the four kills, `districtwide load` succeeds and publishes; every
    mart equals the uninterrupted load's, column by column and row by row; the killed runs'
    temporary files are gone. (The run history of the checks holds, besides, the killed runs
    whose checks had finished.)"""
    rerun = districtwide_load(killed.root)

    assert rerun.returncode == 0, (rerun.stdout + rerun.stderr)[-3000:]
    assert "The marts were published" in rerun.stdout
    assert same_marts(marts_digest(killed.serving), uninterrupted.marts)
    left = [p for pattern in LEFTOVERS for p in killed.root.glob(pattern)]
    assert left == []


def same_marts(rerun: dict[str, object], reference: dict[str, object]) -> bool:
    """Every mart equal; the run history equal for the runs the reference has."""
    assert rerun.keys() == reference.keys()
    for name, (columns, per_run) in reference.items():
        rerun_columns, rerun_runs = rerun[name]  # type: ignore[misc]
        assert rerun_columns == columns, name
        if name == RUN_HISTORY:
            # Runs in order: the first load's, then the second delivery's (the uninterrupted
            # run; the killed runs whose checks finished, then the rerun, in the other).
            assert rerun_runs[0] == per_run[0] and set(rerun_runs[1:]) == set(per_run[1:]), name
        else:
            assert rerun_runs == per_run, name
    return True


def test_a_reader_through_a_whole_load_sees_one_clean_switch(
    uninterrupted: Uninterrupted,
) -> None:
    """Case 17 reader: opening the served copy read-only again and again through a whole load,
    a reader never meets an error and sees the old marts, then the new ones: one switch."""
    reader = uninterrupted.reader
    assert reader["errors"] == []
    assert uninterrupted.before != uninterrupted.after
    assert reader["versions"] == [uninterrupted.before, uninterrupted.after], reader["opens"]
    assert reader["opens"] > 50
