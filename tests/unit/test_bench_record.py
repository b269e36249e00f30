"""devtools/bench.py's record step: the whole load becomes a CSV history row and BENCHMARKS.md's
table of current figures is rewritten from the history, the page's prose kept (no load is run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.current import END, START, update
from benchmarks.history import Run, append_run, read_runs, school_years
from devtools import bench

PROSE = "# Benchmarks\n\nHow it is measured: by hand.\n\n{block}\n\n## Other figures\n\nkept\n"


def stage(seconds: float, rss: float, **steps: float) -> dict:
    """A stage's figures as `bench.measure` returns them."""
    figures = {"success": True, "seconds": seconds, "process_seconds": seconds + 9.0}
    figures["peak_rss_mb"] = rss
    for name in ("land", "dbt", "checks", "publish"):
        figures[f"{name}_seconds"] = steps.get(name, 0.0)
    return figures


def test_record_appends_the_whole_load_and_rewrites_the_current_figures(
    tmp_path: Path, monkeypatch
) -> None:
    history, page = tmp_path / "history.csv", tmp_path / "BENCHMARKS.md"
    page.write_text(PROSE.format(block=f"{START}\nold table\n{END}"))
    machine = "2 cores (Test CPU), 24 GiB RAM, Linux"
    older = Run("2026-12-01 10:00", "aaa1111", machine, 100_000, 40.0, 1900.0, 4, 30, 5, 1)
    append_run(older, history)
    monkeypatch.setattr(bench, "commit", lambda: "bbb2222")
    monkeypatch.setattr(bench, "machine", lambda: machine)
    rows = [
        ("land", stage(3.0, 700.0, land=2.8)),
        ("transform", stage(16.0, 1300.0, dbt=15.0)),
        ("whole load", stage(21.0, 1417.4, land=2.5, dbt=14.5, checks=3.15, publish=0.3)),
    ]
    for seconds in (21.0, 23.5):  # two runs of one commit: the table shows their range
        rows[-1] = ("whole load", {**rows[-1][1], "seconds": seconds})
        run = bench.record(rows, 100_000, {"agg_x": 1.2}, history=history, page=page)

    assert (run.commit, run.machine, run.seconds, run.checks_seconds) == (
        "bbb2222", machine, 23.5, 3.15,
    )  # fmt: skip
    assert [(r.commit, r.seconds) for r in read_runs(history)] == [
        ("aaa1111", 40.0), ("bbb2222", 21.0), ("bbb2222", 23.5),
    ]  # fmt: skip
    text = page.read_text()
    assert text.startswith("# Benchmarks\n\nHow it is measured: by hand.\n\n" + START)
    assert text.endswith(END + "\n\n## Other figures\n\nkept\n")
    assert "old table" not in text and text.count(START) == 1
    assert "commit bbb2222)" in text and machine in text and "`make bench`" in text
    assert "| whole load, 100,000 students (seconds in Dagster) | 21.0–23.5 | ≤ 30 |" in text
    assert "| – quality checks (GX suites, one step) | 3.1–3.1 |" not in text
    assert "| – quality checks (GX suites, one step) | 3.1 |" in text  # rounded equal: one value
    assert "| peak RSS (MB) | 1417 | ≤ 2048 |" in text
    assert "40.0" not in text  # the older commit's run is history, not a current figure


def test_a_page_without_the_block_gets_it_at_the_end(tmp_path: Path) -> None:
    history, page = tmp_path / "history.csv", tmp_path / "BENCHMARKS.md"
    page.write_text("# Benchmarks\n\nProse.\n")
    append_run(Run("2026-12-01 10:00", "aaa1111", "m", 5_000, 11.0, 900.0), history)
    update(page, history)
    text = page.read_text()
    assert text.startswith("# Benchmarks\n\nProse.\n\n" + START)
    assert "| – land (every raw table, one parallel step) | not measured |" in text


def test_the_dashboard_p95_is_a_current_figure(tmp_path):
    """The dashboard step's p95 (devtools/dashboard_bench.py) lands in the history row and in
    BENCHMARKS.md's table beside its 200 ms target; a run without Superset says not measured."""
    from benchmarks.current import render
    from devtools.dashboard_bench import p95

    assert p95([10.0] * 19 + [100.0]) == pytest.approx(14.5)
    base = dict(date="2026-12-06 08:00", commit="abc", machine="m", students=5000)
    measured = render([Run(**base, seconds=9.0, peak_rss_mb=900, dashboard_p95_ms=61.0)])
    assert "| dashboard chart data request, p95" in measured and "| 61 | ≤ 200 |" in measured
    missing = render([Run(**base, seconds=9.0, peak_rss_mb=900)])
    assert "not measured | ≤ 200 |" in missing


def test_a_run_at_another_size_is_history_not_a_current_figure(tmp_path: Path) -> None:
    """`make bench STUDENTS=1000000` appends its run; the current figures (and their 100,000
    targets) stay those of the latest 100,000-student runs."""
    history, page = tmp_path / "history.csv", tmp_path / "BENCHMARKS.md"
    page.write_text("# Benchmarks\n")
    append_run(Run("2026-12-06 10:00", "aaa1111", "m", 100_000, 41.1, 2090.0), history)
    append_run(Run("2026-12-06 11:30", "bbb2222", "m", 1_000_000, 400.0, 3500.0), history)
    update(page, history)
    text = page.read_text()
    assert "| whole load, 100,000 students (seconds in Dagster) | 41.1 | ≤ 30 |" in text
    assert "commit aaa1111" in text and "400.0" not in text
    assert [r.students for r in read_runs(history)] == [100_000, 1_000_000]


def test_a_several_year_load_is_history_not_a_current_figure(tmp_path: Path, monkeypatch) -> None:
    """`make bench YEARS=3`: the whole load is recorded with its years and the latest year's
    rebuild in its notes; the current figures stay the one-year loads'."""
    history, page = tmp_path / "history.csv", tmp_path / "BENCHMARKS.md"
    page.write_text(PROSE.format(block=f"{START}\n{END}"))
    machine = "2 cores (Test CPU), 24 GiB RAM, Linux"
    monkeypatch.setattr(bench, "commit", lambda: "ccc3333")
    monkeypatch.setattr(bench, "machine", lambda: machine)
    bench.record([("whole load", stage(25.0, 1400.0))], 100_000, {}, history=history, page=page)
    note = "3 school years, 100,000 students each; the latest year rebuilt alone: 20.0 s"
    bench.record(
        [("whole load", stage(70.0, 2100.0))], 100_000, {}, history=history, page=page, notes=note
    )

    runs = read_runs(history)
    assert [(school_years(r), r.seconds) for r in runs] == [(1, 25.0), (3, 70.0)]
    assert runs[-1].notes == note
    text = page.read_text()
    assert "| whole load, 100,000 students (seconds in Dagster) | 25.0 | ≤ 30 |" in text
    assert "70.0" not in text
