"""A quality run around its rules: no student value in results or Data Docs, Data Docs kept and
pruned, the history file, and the warehouse file held by other readers or a writer."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pytest

from expectations import (
    SuiteError,
    WarehouseUnavailable,
    rules,
    run_suite,
    run_suites,
    suite_named,
)
from expectations.docs import build_data_docs, prune, wait_for_rendering
from expectations.history import write_history
from tests.fixtures.quality_warehouse import (
    SECRET_ID,
    SECRET_NAME,
    Table,
    check,
    failed,
    warehouse,
)

pytestmark = pytest.mark.integration


def test_results_and_docs_never_carry_student_values(tmp_path: Path, capfd) -> None:
    def change(t: dict[str, Table]) -> None:
        t["marts.dim_student"].rows += [
            (SECRET_ID, "7391625", "S999", "Zed", SECRET_NAME, date(2011, 2, 3), "x", "sk1")
        ] * 2
        t["marts.dim_student"].rows.append((None, None, None, "Zed", SECRET_NAME, None, "x", "no"))

    docs = tmp_path / "docs"
    result = check(tmp_path, "dim_student", change, data_docs_dir=docs)
    assert failed(result) == {
        "expect_column_values_to_not_be_null:student_key": 1,
        "expect_column_values_to_be_unique:student_key": 2,
        "expect_column_values_to_not_be_null:local_id": 1,
        "unexpected_rows_expectation:current_school_key_in_dim_school": 1,
    }
    returned = json.dumps(
        [result.to_metadata(), result.to_records(), result.summary()], default=str
    )
    stored = "".join(p.read_text() for p in docs.rglob("*") if p.suffix in (".html", ".json"))
    for text in (returned, stored):
        for value in (SECRET_ID, SECRET_NAME, "2011-02-03", "7391625"):
            assert value not in text
    out, err = capfd.readouterr()
    assert "Calculating Metrics" not in out + err
    assert out == "" and err == ""


def test_data_docs_accumulate_across_calls_and_are_pruned(tmp_path: Path) -> None:
    path = warehouse(tmp_path)
    docs = tmp_path / "docs"
    for run in ("r1", "r2", "r3"):
        a = run_suite(suite_named("dim_school"), path, run_id=run, data_docs_dir=docs)
    b = run_suite(suite_named("dim_teacher"), path, run_id="r3", data_docs_dir=docs)
    assert a.data_docs_index == b.data_docs_index == docs.resolve() / "index.html"
    index = (docs / "index.html").read_text()
    assert "dim_school" in index and "dim_teacher" in index
    assert len(list((docs / "validations" / "dim_school").rglob("*.html"))) == 3
    assert prune(docs.resolve(), keep_runs=1) == 2
    build_data_docs(docs)
    assert len(list((docs / "validations" / "dim_school").rglob("*.html"))) == 1
    assert [p.name for p in (docs / "validations" / "dim_school").iterdir()] == ["r3"]


def test_data_docs_rendered_in_the_background_are_the_same_pages(tmp_path: Path) -> None:
    path = warehouse(tmp_path)
    suites = [suite_named("dim_school"), suite_named("dim_teacher")]
    now, later = tmp_path / "now", tmp_path / "later"
    inline = run_suites(suites, path, run_id="r1", data_docs_dir=now)
    background = run_suites(suites, path, run_id="r1", data_docs_dir=later, docs_in_background=True)
    assert [r.data_docs_index for r in background] == [later.resolve() / "index.html"] * 2
    assert [r.success for r in background] == [r.success for r in inline]
    assert wait_for_rendering(timeout=120)

    def pages(root: Path) -> set[tuple[str, ...]]:
        """validations/<suite>/<run>: the run's time differs between the two calls."""
        return {p.relative_to(root).parts[:3] for p in root.rglob("validations/**/*.html")}

    assert pages(later) == pages(now) and pages(later)
    index = (later / "index.html").read_text()
    assert "dim_school" in index and "dim_teacher" in index and "r1" in index


def test_data_docs_render_only_the_new_run_and_changed_suites(tmp_path: Path) -> None:
    path = warehouse(tmp_path)
    docs = tmp_path / "docs"
    suites = [suite_named("dim_school"), suite_named("dim_teacher")]
    run_suites(suites, path, run_id="r1", data_docs_dir=docs)
    first = next((docs / "validations" / "dim_school" / "r1").rglob("*.html"))
    suite_page = docs / "expectations" / "dim_school.html"
    stamps = {page: page.stat().st_mtime_ns for page in (first, suite_page)}

    run_suites(suites, path, run_id="r2", data_docs_dir=docs)
    index = (docs / "index.html").read_text()
    assert "r1" in index and "r2" in index
    assert len(list((docs / "validations" / "dim_school").rglob("*.html"))) == 2
    # the earlier run's page and the unchanged suite's page were not rendered again
    assert {page: page.stat().st_mtime_ns for page in stamps} == stamps

    # a changed suite (a new rule) is rendered again; a deleted page is rendered again
    changed = replace(
        suites[0], expectations=[*suites[0].expectations, rules.not_null("school_name", "m")]
    )
    (docs / "expectations" / "dim_teacher.html").unlink()
    run_suites([changed, suites[1]], path, run_id="r3", data_docs_dir=docs)
    assert suite_page.stat().st_mtime_ns != stamps[suite_page]
    assert "school_name" in suite_page.read_text()
    assert (docs / "expectations" / "dim_teacher.html").is_file()
    assert first.stat().st_mtime_ns == stamps[first]


def test_history_keeps_every_rule_of_the_run(tmp_path: Path) -> None:
    def change(t: dict[str, Table]) -> None:
        t["marts.dim_student"].rows.append(t["marts.dim_student"].rows[0])

    results = run_suites(
        [suite_named("dim_student"), suite_named("dim_school")],
        warehouse(tmp_path, change),
        run_id="run-1",
    )
    folder = tmp_path / "_quality"
    path = write_history(folder, "run-1", results)
    assert path == folder / "run-1.parquet"
    assert write_history(folder, "run-2", []) is None
    rows = duckdb.sql(
        f"select suite, expectation, severity, success, unexpected_count, checked_at "
        f"from read_parquet('{folder}/*.parquet') order by suite, expectation"
    ).fetchall()
    expected = sorted(
        (r.suite, o.name, o.severity, o.success, o.unexpected_count, r.checked_at)
        for r in results
        for o in r.outcomes
    )
    assert len(rows) == sum(len(r.outcomes) for r in results) == 7
    assert [row[:5] for row in rows] == [row[:5] for row in expected]
    assert (
        "dim_student",
        "expect_column_values_to_be_unique:student_key",
        "blocking",
        False,
        2,
    ) in [row[:5] for row in rows]
    # checked_at is stored as UTC wall time, as before
    assert {row[5] for row in rows} == {r.checked_at.replace(tzinfo=None) for r in results}


# --------------------------------------------------------------------------- the warehouse file


@contextmanager
def held(path: Path, mode: str) -> Iterator[None]:
    """Another process holds the DuckDB file (`read_only` or `write`) while the block runs."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield
    finally:
        holder.communicate("done\n", timeout=30)
    assert holder.returncode == 0


def test_runs_while_another_process_holds_the_file_read_only(tmp_path: Path) -> None:
    path = warehouse(tmp_path)
    with held(path, "read_only"):
        assert run_suite(suite_named("dim_student"), path, run_id="t").success


def test_runs_while_this_process_holds_the_file_read_only(tmp_path: Path) -> None:
    path = warehouse(tmp_path)
    with duckdb.connect(str(path), read_only=True) as reader:
        assert run_suite(suite_named("dim_school"), path, run_id="t").success
        assert reader.execute("select count(*) from marts.dim_school").fetchone() == (2,)
    # and the runner let go of the file: a writer can open it now
    with duckdb.connect(str(path)) as writer:
        writer.execute("create table marts.after_check as select 1 as x")


def test_a_writer_holding_the_file_gives_a_clear_error(tmp_path: Path) -> None:
    path = warehouse(tmp_path)
    with (
        held(path, "write"),
        pytest.raises(WarehouseUnavailable, match="cannot open the warehouse"),
    ):
        run_suite(suite_named("dim_school"), path, run_id="t")


def test_missing_file_and_missing_table_are_errors(tmp_path: Path) -> None:
    with pytest.raises(WarehouseUnavailable, match="no DuckDB warehouse"):
        run_suite(suite_named("dim_school"), tmp_path / "nope.duckdb", run_id="t")
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(SuiteError, match="marts.dim_school cannot be read"):
        run_suite(suite_named("dim_school"), path, run_id="t")
    # the datasource GX refused (its table asset failed) let go of the file too
    with duckdb.connect(str(path)) as writer:
        writer.execute("create table after_check as select 1 as x")


HOLD = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "read_only")
    con.execute("select count(*) from marts.dim_student").fetchall()
    print("holding", flush=True)
    sys.stdin.readline()
    con.close()
    """
)
