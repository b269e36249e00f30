"""The per-run history of `make bench`: one CSV row per 100,000-student (or other size) run.

BENCHMARKS.md keeps the current figures as a table; every run goes here, so a figure can be
traced to its date, commit and machine without a diary. Pure standard library (csv), so a
script or a notebook can read it without the project's environment.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

#: The history file beside this module.
HISTORY = Path(__file__).resolve().parent / "history.csv"


@dataclass(frozen=True)
class Run:
    """One whole-load run (the `consolidated_load` job from an empty data folder, files kept).

    `seconds` is the job's execution in Dagster; the four steps are its land, dbt build, quality
    checks and publish steps; `peak_rss_mb` the process's peak resident set (its dbt included).
    A step not measured is None (an empty cell).
    """

    date: str  # UTC, "YYYY-MM-DD HH:MM"
    commit: str  # short hash of HEAD when the run started
    machine: str  # e.g. "2 cores (AMD EPYC), 24 GiB RAM"
    students: int
    seconds: float
    peak_rss_mb: float
    land_seconds: float | None = None
    dbt_seconds: float | None = None
    checks_seconds: float | None = None
    publish_seconds: float | None = None
    notes: str = ""
    # p95 of every dashboard chart's data request on a Superset over the served marts (ms).
    dashboard_p95_ms: float | None = None


COLUMNS = [f.name for f in fields(Run)]


def _cell(name: str, value: object) -> str:
    if value is None:
        return ""
    if name in ("peak_rss_mb", "dashboard_p95_ms"):
        return f"{float(value):.0f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def append_run(run: Run, path: Path = HISTORY) -> None:
    """Append `run` to the CSV at `path`, writing the header first when the file is new or empty."""
    new = not path.exists() or path.stat().st_size == 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        if new:
            writer.writeheader()
        writer.writerow({name: _cell(name, value) for name, value in asdict(run).items()})


def read_runs(path: Path = HISTORY) -> list[Run]:
    """Every run of the CSV, oldest first."""
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as rows:
        reader = csv.DictReader(rows)
        if reader.fieldnames != COLUMNS:
            raise ValueError(f"{path}: columns {reader.fieldnames}, expected {COLUMNS}")
        return [_run(row) for row in reader]


def _run(row: dict[str, str]) -> Run:
    def number(name: str) -> float | None:
        return float(row[name]) if row[name] else None

    return Run(
        date=row["date"],
        commit=row["commit"],
        machine=row["machine"],
        students=int(row["students"]),
        seconds=float(row["seconds"]),
        peak_rss_mb=float(row["peak_rss_mb"]),
        land_seconds=number("land_seconds"),
        dbt_seconds=number("dbt_seconds"),
        checks_seconds=number("checks_seconds"),
        publish_seconds=number("publish_seconds"),
        dashboard_p95_ms=number("dashboard_p95_ms"),
        notes=row["notes"],
    )


#: How a several-year whole load is marked in its `notes` (`make bench YEARS=3`): the history's
#: columns stay as they are, and the current figures (benchmarks/current.py) count one-year
#: loads only.
SCHOOL_YEARS_NOTE = re.compile(r"^(\d+) school years\b")


def school_years(run: Run) -> int:
    """The school years a whole load held: 1 unless its notes say otherwise."""
    match = SCHOOL_YEARS_NOTE.match(run.notes)
    return int(match.group(1)) if match else 1


def now() -> str:
    """The current UTC time as the `date` column writes it."""
    return f"{datetime.now(UTC):%Y-%m-%d %H:%M}"


#: The one-day incremental runs beside the whole loads.
INCREMENTAL_HISTORY = HISTORY.with_name("incremental.csv")


@dataclass(frozen=True)
class IncrementalRun:
    """One one-day incremental (devtools/bench_incremental.py): a load after one new school day
    of attendance in the PowerSchool database (`day_rows` rows), timed in Dagster (`seconds`;
    its pull, dbt, checks and publish steps), with the full load of the same database before
    it (`full_seconds`: every day but the new one, from an empty data folder)."""

    date: str
    commit: str
    machine: str
    students: int
    day_rows: int
    seconds: float
    pull_seconds: float | None
    dbt_seconds: float | None
    checks_seconds: float | None
    publish_seconds: float | None
    full_seconds: float
    notes: str = ""


INCREMENTAL_COLUMNS = [f.name for f in fields(IncrementalRun)]


def append_incremental(run: IncrementalRun, path: Path = INCREMENTAL_HISTORY) -> None:
    """Append `run` to the incremental history (header first when the file is new)."""
    new = not path.exists() or path.stat().st_size == 0
    with path.open("a", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=INCREMENTAL_COLUMNS, lineterminator="\n")
        if new:
            writer.writeheader()
        writer.writerow({name: _cell(name, value) for name, value in asdict(run).items()})


def read_incremental(path: Path = INCREMENTAL_HISTORY) -> list[IncrementalRun]:
    """Every incremental run, oldest first."""
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as rows:
        reader = csv.DictReader(rows)
        if reader.fieldnames != INCREMENTAL_COLUMNS:
            raise ValueError(f"{path}: columns {reader.fieldnames}, expected {INCREMENTAL_COLUMNS}")
        return [
            IncrementalRun(
                **{
                    name: (
                        row[name]
                        if name in ("date", "commit", "machine", "notes")
                        else int(row[name])
                        if name in ("students", "day_rows")
                        else float(row[name])
                        if row[name]
                        else None
                    )
                    for name in INCREMENTAL_COLUMNS
                }
            )
            for row in reader
        ]
