"""`make bench` (`districtwide bench`): the consolidated load at district scale, timed and
measured per stage.

Each stage runs in a fresh subprocess so its peak RSS (the process and its dbt child) is its own:
generate (the demo's layout combination, excluded from the total), land (every raw asset),
transform (every dbt asset), then the whole `consolidated_load` job once more from an empty
data folder. Runs are recorded in a Dagster instance configured as `make` configures the
nightly one (`orchestration.instance`, SQLite under the bench's data folder), so the figures
include storing the run's events. When the Superset venv is installed, a Superset is started on
the served marts and every dashboard chart's data request is timed (devtools/dashboard_bench.py).
The whole load is recorded as a row of benchmarks/history.csv (`benchmarks.history.append_run`)
and BENCHMARKS.md's table of current figures is rewritten from that history
(`benchmarks.current.update`), with the machine, the commit and the date.

With `years` above 1 (`make bench YEARS=3`), the district holds that many school years of
`students` each: the whole load from an empty folder, then a rebuild of the latest school year
alone (its partition: orchestration/defs/dbt/school_years.py) as a backfill asked for with
nothing changed, and again as after a SIS delivery (every model of no school year built too),
all timed; the whole load is recorded with the rebuilds in its notes ("3 school years; ..."),
outside the current figures.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.current import BENCHMARKS_MD, update
from benchmarks.history import HISTORY, Run, append_run, now
from connectors.home import REPO_ROOT, Home
from devtools.dashboard_bench import ChartTimes
from devtools.dashboard_bench import measure as measure_dashboards
from devtools.demo import DEMO_LAYOUTS
from orchestration.instance import write_instance_yaml

STAGE_SELECTIONS = {"land": "raw", "transform": "dbt"}
#: Set: the latest year's rebuild builds every model of no school year too, as after a change
#: of their inputs (`increments.for_school_years` keeps them when nothing changed).
REBUILD_EVERY_MODEL_ENV = "DISTRICTWIDE_BENCH_REBUILD_EVERY_MODEL"


def run_stage(selection: str) -> dict:
    """Materialize one selection in this process; print its wall time and peak RSS as JSON."""
    from dagster import DagsterInstance

    from devtools.demo import run_consolidated_load
    from orchestration.definitions import defs

    # What the nightly job runs (publishing the dashboards is a job of its own).
    executable = set(defs().resolve_job_def("consolidated_load").asset_layer.executable_asset_keys)
    raw_keys = {k for k in executable if k.path[0] == "raw"}
    if selection == "raw":
        keys = raw_keys
    elif selection == "dbt":
        keys = executable - raw_keys
    else:
        keys = executable
    instance = DagsterInstance.get()
    years = None
    if selection == "latest-year":
        from connectors import increments
        from connectors.home import Home
        from orchestration.defs.dbt.school_years import years_in_warehouse

        home = Home(Path(os.environ["DISTRICTWIDE_HOME"]))
        years = years_in_warehouse(home.warehouse)[-1:]
        if os.environ.get(REBUILD_EVERY_MODEL_ENV):
            # As after a SIS delivery: every model of no school year built again too.
            increments.forget(home)
    started = time.perf_counter()
    result = run_consolidated_load(instance, asset_selection=sorted(keys), years=years)
    elapsed = time.perf_counter() - started
    steps = {
        stats.step_key: round(stats.end_time - stats.start_time, 2)
        for stats in instance.get_run_step_stats(result.run_id)
    }
    peak_kb = max(own_peak_kb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {
        "success": result.success,
        "years": years,
        "seconds": elapsed,
        "peak_rss_mb": peak_kb / 1024,
        "checks_seconds": steps.get("data_quality", 0.0),
        "dbt_seconds": steps.get("districtwide_dbt_models", 0.0),
        "land_seconds": round(sum(v for k, v in steps.items() if k.startswith("land_")), 2),
        "publish_seconds": steps.get("serving__marts", 0.0),
        "steps": steps,
    }


def own_peak_kb() -> int:
    """This process's peak RSS: VmHWM, its own address space's high-water mark. getrusage's
    ru_maxrss carries the RSS of the process that forked it over the exec (it broke a test
    whose parent was a 1.9 GB pytest worker); ru_maxrss where /proc is missing."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))


def measure(args: list[str], env: dict[str, str]) -> dict:
    """Run `python -m districtwide bench <args>` and read the JSON it prints last."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "districtwide", "bench", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    return result


def reset(home: Path) -> None:
    """Forget every load and run but keep the delivered files, the truth and dbt's parse cache."""
    for name in ("archive", "raw", "warehouse", "serving", "work", "dagster"):
        shutil.rmtree(home / name, ignore_errors=True)
    write_instance_yaml(home / "dagster" / "dagster.yaml", "sqlite")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        cpu = model
    except (OSError, StopIteration):
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GiB RAM, {system}"


def main(
    students: int = 100_000,
    seed: int = 2026,
    stage: str | None = None,
    incremental: bool = True,
    stages: bool = True,
    years: int = 1,
) -> int:
    """Generate once, then time the stages (unless `stages` is false: at a million students
    each takes about as long as the whole load, whose steps split it anyway) and the whole load;
    append the figures; then the one-day incremental from the attendance database
    (devtools.bench_incremental). With `years` above 1: the whole load and the latest year's
    rebuild only (`several_years`)."""
    if stage:
        print(json.dumps(run_stage(stage)))
        return 0
    if years > 1:
        return several_years(students, seed, years)

    home = Path(os.environ.get("DISTRICTWIDE_BENCH_HOME", REPO_ROOT / "data" / "bench")).resolve()
    env = {**os.environ, "DISTRICTWIDE_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    ensure_generated(home, students, seed)
    rows = []
    reset(home)
    for label in ("land", "transform") if stages else ():
        result = measure(["--stage", STAGE_SELECTIONS[label]], env)
        rows.append((label, result))
        print(f"{label}: {result}")
    reset(home)
    result = measure(["--stage", "all"], env)
    rows.append(("whole load (one job, from empty)", result))
    print(f"whole load: {result}")
    if not all(r["success"] for _, r in rows):
        print("a stage failed; nothing recorded", file=sys.stderr)
        return 1
    # Optional: the dashboards' query times, when the Superset venv is installed.
    dashboards = measure_dashboards(Home(home).serving, home / "superset-bench")
    if dashboards is not None:
        print(dashboards.line())
    record(rows, students, mart_seconds(home), dashboards=dashboards)
    if incremental:
        from devtools.bench_incremental import main as incremental_bench

        return incremental_bench(home.with_name(home.name + "-incremental"), students, seed)
    return 0


def several_years(students: int, seed: int, years: int) -> int:
    """A district of `years` school years of `students` each: the whole load from an empty
    folder, then the latest school year rebuilt alone, twice (a backfill asked for, then as after
    a SIS delivery), each in a process of its own; the whole load recorded, the rebuilds in its
    notes."""
    default = REPO_ROOT / "data" / f"bench-{years}years"
    home = Path(os.environ.get("DISTRICTWIDE_BENCH_HOME", default)).resolve()
    env = {**os.environ, "DISTRICTWIDE_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    ensure_generated(home, students, seed, "--years", str(years))
    reset(home)
    whole = measure(["--stage", "all"], env)
    print(f"whole load, {years} school years: {whole}")
    # The whole load's model timings, before the rebuild's run writes its own over them.
    whole_results = home / "dbt_target" / "run_results.whole.json"
    shutil.copy2(home / "dbt_target" / "run_results.json", whole_results)
    # A backfill of the latest year asked for with nothing changed (the models of no year kept),
    # then as after a SIS delivery (every model built).
    latest = measure(["--stage", "latest-year"], env)
    print(f"rebuild of school year {latest['years']} alone: {latest}")
    every = measure(["--stage", "latest-year"], {**env, REBUILD_EVERY_MODEL_ENV: "1"})
    print(f"rebuild of school year {every['years']}, every model of no year too: {every}")
    if not (whole["success"] and latest["success"] and every["success"]):
        print("a run failed; nothing recorded", file=sys.stderr)
        return 1
    rows = [(f"whole load, {years} school years (one job, from empty)", whole)]
    rows.append((f"school year {latest['years'][0]} alone", latest))
    rows.append((f"school year {every['years'][0]} alone, every model of no year too", every))
    note = (
        f"{years} school years, {students:,} students each; the latest year rebuilt alone: "
        f"{latest['seconds']:.1f} s in Dagster (dbt {latest['dbt_seconds']:.1f} s), "
        f"peak RSS {latest['peak_rss_mb']:.0f} MB; with every model of no year: "
        f"{every['seconds']:.1f} s (dbt {every['dbt_seconds']:.1f} s)"
    )
    record(rows[:1], students, mart_seconds(home, whole_results), notes=note)
    for label, r in rows[1:]:
        print(f"{label}: {r['seconds']:.1f} s in Dagster, {r['process_seconds']:.1f} s in all")
    return 0


def ensure_generated(home: Path, students: int, seed: int, *extra: str) -> None:
    """The bench district in `home`: the demo's layout combination at bench size (`extra`:
    more generator arguments); a folder generated with other arguments (or before the marker
    existed) is generated again."""
    generator_args = ["--students", str(students), "--seed", str(seed), *DEMO_LAYOUTS, *extra]
    marker = home / "truth" / "generator_args.json"
    if marker.exists() and json.loads(marker.read_text()) == generator_args:
        return
    shutil.rmtree(home, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "synthetic", *generator_args, "--out", str(home)],
        check=True,
        cwd=REPO_ROOT,
    )
    marker.write_text(json.dumps(generator_args))
    print(f"generate: {time.perf_counter() - started:.1f} s (not part of the load)")


def mart_seconds(home: Path, run_results: Path | None = None) -> dict[str, float]:
    """Seconds each mart model took in the last dbt build (dbt's run_results.json), or in the
    build whose results `run_results` holds."""
    run_results = run_results or home / "dbt_target" / "run_results.json"
    results = json.loads(run_results.read_text())
    return {
        r["unique_id"].split(".")[-1]: round(r["execution_time"], 1)
        for r in results["results"]
        if r["unique_id"].startswith("model.") and '"marts".' in (r.get("relation_name") or "")
    }


def commit() -> str:
    """HEAD's short hash, marked `-dirty` when the checkout has uncommitted changes."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def whole_load_run(
    rows: list[tuple[str, dict]],
    students: int,
    *,
    date: str,
    commit: str,
    machine: str,
    dashboards: ChartTimes | None = None,
    notes: str = "",
) -> Run:
    """The history row of a bench: the whole load (the last of `rows`) and its steps."""
    whole = rows[-1][1]
    return Run(
        date=date,
        commit=commit,
        machine=machine,
        students=students,
        seconds=whole["seconds"],
        peak_rss_mb=whole["peak_rss_mb"],
        land_seconds=whole["land_seconds"],
        dbt_seconds=whole["dbt_seconds"],
        checks_seconds=whole["checks_seconds"],
        publish_seconds=whole["publish_seconds"],
        dashboard_p95_ms=dashboards.p95_ms if dashboards else None,
        notes=notes,
    )


def record(
    rows: list[tuple[str, dict]],
    students: int,
    marts: dict[str, float],
    *,
    history: Path = HISTORY,
    page: Path = BENCHMARKS_MD,
    dashboards: ChartTimes | None = None,
    notes: str = "",
) -> Run:
    """Append the whole load to the CSV history and rewrite BENCHMARKS.md's current figures.

    The stage runs and the mart models' seconds are printed, not kept: the history holds one
    row per whole load (benchmarks/history.py), the page a table of current figures.
    """
    run = whole_load_run(
        rows,
        students,
        date=now(),
        commit=commit(),
        machine=machine(),
        dashboards=dashboards,
        notes=notes,
    )
    append_run(run, history)
    update(page, history)
    for label, r in rows:
        print(
            f"{label}: {r['seconds']:.1f} s in Dagster, {r['process_seconds']:.1f} s with start-up,"
            f" peak RSS {r['peak_rss_mb']:.0f} MB"
        )
    slowest = sorted(marts.items(), key=lambda m: -m[1])
    print("mart models (s): " + ", ".join(f"{name} {sec}" for name, sec in slowest))
    print(f"recorded in {history} and {page}")
    return run
