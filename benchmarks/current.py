"""BENCHMARKS.md's table of current figures, rendered from benchmarks/history.csv.

`make bench` appends its run to the CSV history and rewrites only the block between the two
markers below, so the page stays a table of current figures (with the machine, the command and
the date) and the prose around it, hand-written, is kept. "Current" means the runs of the latest
recorded commit on the latest recorded machine: the machine's speed drifts by the minute (see
BENCHMARKS.md), so a figure is shown as the range of those runs, never one run alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.history import (
    HISTORY,
    IncrementalRun,
    Run,
    read_incremental,
    read_runs,
    school_years,
)

BENCHMARKS_MD = HISTORY.parents[1] / "BENCHMARKS.md"
START = "<!-- current figures: written by `make bench` (benchmarks/current.py) -->"
END = "<!-- end of current figures -->"
COMMAND = "make bench"

#: Targets for the 100,000-student load on 2 cores (docs/architecture.md).
TARGET_SECONDS = 30.0
TARGET_RSS_MB = 2048.0
TARGET_CHECKS_SHARE = 0.20
#: The one-day incremental at 100,000 students (issue 19).
TARGET_INCREMENTAL_SECONDS = 10.0
#: Target for one dashboard chart's data request (issue 20; devtools/dashboard_bench.py).
TARGET_DASHBOARD_P95_MS = 200.0


#: The size the targets are for: a run at another size (`make bench STUDENTS=1000000`) stays in
#: the history (and docs/scaling.md), not in the current figures, while one at this size exists.
TARGET_STUDENTS = 100_000


def current_runs(runs: Sequence[Run]) -> list[Run]:
    """The runs of the latest run's commit, machine and size (all of them, oldest first),
    among the one-year runs at TARGET_STUDENTS when there are any (a several-year whole load,
    `make bench YEARS=3`, stays in the history)."""
    runs = [r for r in runs if school_years(r) == 1] or list(runs)
    runs = [r for r in runs if r.students == TARGET_STUDENTS] or list(runs)
    if not runs:
        return []
    last = runs[-1]
    return [
        r
        for r in runs
        if (r.commit, r.machine, r.students) == (last.commit, last.machine, last.students)
    ]


def _span(values: Sequence[float | None], fmt: str = "{:.1f}") -> str:
    known = sorted(v for v in values if v is not None)
    if not known:
        return "not measured"
    low, high = fmt.format(known[0]), fmt.format(known[-1])
    return low if low == high else f"{low}–{high}"


def _checks_share(run: Run) -> float | None:
    return None if run.checks_seconds is None else run.checks_seconds / run.seconds


def render_incremental(runs: Sequence[IncrementalRun], students: int | None) -> list[str]:
    """The one-day incremental's table: the latest commit's runs on the latest machine (at the
    whole load's size), with the full load of the same database beside it."""
    if not runs:
        return []
    last = runs[-1]
    current = [
        r
        for r in runs
        if (r.commit, r.machine, r.students) == (last.commit, last.machine, last.students)
        and (students is None or r.students == students)
    ]
    if not current:
        return []
    figures: list[tuple[str, Callable[[IncrementalRun], float | None], str, str]] = [
        (
            "one new school day: pull, build, checks, publish (seconds in Dagster)",
            lambda r: r.seconds,
            "{:.1f}",
            f"≤ {TARGET_INCREMENTAL_SECONDS:.0f}",
        ),
        ("– pull (dlt, archive, mirror, raw increment)", lambda r: r.pull_seconds, "{:.1f}", ""),
        ("– dbt build (incremental attendance models)", lambda r: r.dbt_seconds, "{:.1f}", ""),
        ("– quality checks", lambda r: r.checks_seconds, "{:.1f}", ""),
        ("– publish", lambda r: r.publish_seconds, "{:.1f}", ""),
        ("full load of the same database, beside it", lambda r: r.full_seconds, "{:.1f}", ""),
    ]
    lines = [
        "",
        f"One-day incremental ({last.students:,} students, attendance from the PowerSchool "
        f"database, {last.day_rows:,} new rows; commit {last.commit}, {len(current)} run(s), "
        + (last.date if current[0].date == last.date else f"{current[0].date} to {last.date}")
        + " UTC):",
        "",
        "| figure | now | target |",
        "| --- | ---: | ---: |",
    ]
    for label, value, fmt, target in figures:
        lines.append(f"| {label} | {_span([value(r) for r in current], fmt)} | {target} |")
    notes = [r.notes for r in current if r.notes]
    if notes:
        lines += ["", "Notes of these runs: " + "; ".join(notes) + "."]
    return lines


def render(runs: Sequence[Run], incremental: Sequence[IncrementalRun] = ()) -> str:
    """The block between the markers: heading, provenance and the table of the current runs,
    then the one-day incremental's."""
    current = current_runs(runs)
    if not current:
        return f"{START}\n## Current figures\n\nNo run recorded yet: `{COMMAND}`.\n{END}"
    first, last = current[0], current[-1]
    when = first.date if first.date == last.date else f"{first.date} to {last.date}"
    n = len(current)
    figures: list[tuple[str, Callable[[Run], float | None], str, str]] = [
        (
            f"whole load, {last.students:,} students (seconds in Dagster)",
            lambda r: r.seconds,
            "{:.1f}",
            f"≤ {TARGET_SECONDS:.0f}",
        ),
        ("– land (every raw table, one parallel step)", lambda r: r.land_seconds, "{:.1f}", ""),
        ("– dbt build (models and dbt tests, in process)", lambda r: r.dbt_seconds, "{:.1f}", ""),
        ("– quality checks (GX suites, one step)", lambda r: r.checks_seconds, "{:.1f}", ""),
        (
            "– quality checks, share of the load",
            _checks_share,
            "{:.0%}",
            f"≤ {TARGET_CHECKS_SHARE:.0%}",
        ),
        ("– publish (served copy swapped in)", lambda r: r.publish_seconds, "{:.1f}", ""),
        ("peak RSS (MB)", lambda r: r.peak_rss_mb, "{:.0f}", f"≤ {TARGET_RSS_MB:.0f}"),
        (
            "dashboard chart data request, p95 (ms; Superset, every chart, uncached)",
            lambda r: r.dashboard_p95_ms,
            "{:.0f}",
            f"≤ {TARGET_DASHBOARD_P95_MS:.0f}",
        ),
    ]
    lines = [
        START,
        f"## Current figures ({when} UTC, commit {last.commit})",
        "",
        f"- **Machine:** {last.machine}",
        f"- **Command:** `{COMMAND}` ({last.students:,} students)",
        f"- **Runs:** {n} of this commit on this machine"
        + ("; each figure is the range over them" if n > 1 else ""),
        "",
        "| figure | now | target |",
        "| --- | ---: | ---: |",
    ]
    for label, value, fmt, target in figures:
        lines.append(f"| {label} | {_span([value(r) for r in current], fmt)} | {target} |")
    notes = [r.notes for r in current if r.notes]
    if notes:
        lines += ["", "Notes of these runs: " + "; ".join(notes) + "."]
    lines += render_incremental(incremental, last.students)
    lines.append(END)
    return "\n".join(lines)


def update(path: Path = BENCHMARKS_MD, history: Path = HISTORY) -> None:
    """Rewrite the current-figures block of `path` from `history`; the rest is left as it is.

    A page without the block gets it at the end (a new page: under a title).
    """
    block = render(read_runs(history), read_incremental(history.with_name("incremental.csv")))
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
