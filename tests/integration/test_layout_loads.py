"""The layouts' sample files loaded as delivered (in subfolders and zips, UTF-16, header only,
wide rows) through the real landing load, and checked by `districtwide check`: both parse the
files with DuckDB."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest

from connectors.check import check_paths
from connectors.home import Home
from connectors.load import load_landing
from tests.conftest import generate
from tests.fixtures.layout_samples import FIXTURES, LAYOUTS, samples

pytestmark = pytest.mark.integration


def test_samples_load_as_delivered_in_subfolders_and_zips(tmp_path: Path) -> None:
    home = Home(tmp_path).ensure()
    landing = home.landing / "from vendors"
    shutil.copytree(FIXTURES, landing)
    oneroster = landing / "oneroster_1_1"
    with zipfile.ZipFile(landing / "OneRoster_export.zip", "w") as archive:
        for path in oneroster.glob("*.csv"):
            archive.write(path, f"export/{path.name}")
    shutil.rmtree(oneroster)

    run = load_landing(home)

    assert run.unrecognized == []
    assert all(t.error is None and not t.failed for t in run.tables.values())
    layouts = duckdb.sql(
        f"select distinct layout from read_parquet('{home.audit}/2*.parquet') "
        "where status = 'loaded'"
    ).fetchall()
    assert {name for (name,) in layouts} == {expected for expected, _ in samples()}
    # Raw = parsed + rejected for every file, as the audit records it.
    totals = duckdb.sql(
        f"select sum(rows_total), sum(rows_parsed + rows_rejected) "
        f"from read_parquet('{home.audit}/2*.parquet') where status = 'loaded'"
    ).fetchall()[0]
    assert totals[0] == totals[1] and totals[0] > 0
    members = duckdb.sql(
        f"select source_path from read_parquet('{home.audit}/2*.parquet') "
        "where source_path like '%.zip/%' order by 1"
    ).fetchall()
    assert ("from vendors/OneRoster_export.zip/export/users.csv",) in members


def test_mcas_wide_rows_become_one_row_per_tested_subject(tmp_path: Path) -> None:
    home = Home(tmp_path).ensure()
    [sample] = (FIXTURES / "mcas_student_data").glob("*.csv")
    shutil.copy(sample, home.landing / sample.name)

    run = load_landing(home, {"assessment__state_results"})

    result = run.tables["assessment__state_results"]
    assert result.failed == [] and result.rows_parsed > 0
    rows = duckdb.sql(
        f"select Assessment, Subject, count(*) from read_parquet('{home.raw}/assessment/"
        "state_results/2*.parquet') group by all order by 2"
    ).fetchall()
    assert {subject for _, subject, _ in rows} <= {"ELA", "MATH", "SCI"}
    assert all(assessment == "MCAS" for assessment, _, _ in rows)
    lines = sample.read_text(encoding="utf-8-sig").count("\n") - 1
    assert result.rows_parsed > lines  # at least two subjects for some students


def test_utf16_file_is_recognized_and_loaded(tmp_path: Path) -> None:
    home = Home(tmp_path).ensure()
    text = "StuNum,SchoolCode,AbsenceDate,AttCode,Minutes,Comment\r\n1,101,09/03/2025,A,,José\r\n"
    (home.landing / "exceptions.csv").write_bytes(text.encode("utf-16"))

    result = load_landing(home, {"attendance__exceptions"}).tables["attendance__exceptions"]

    assert result.loaded[0]["encoding"] == "utf-16"
    [(comment,)] = duckdb.sql(
        f"select Comment from read_parquet('{home.raw}/attendance/exceptions/2*.parquet')"
    ).fetchall()
    assert comment == "José"


def test_a_header_only_file_loads_zero_rows(tmp_path: Path) -> None:
    home = Home(tmp_path).ensure()
    (home.landing / "x.csv").write_text("StuNum,SchoolCode,AbsenceDate,AttCode,Minutes,Comment\n")

    result = load_landing(home, {"attendance__exceptions"}).tables["attendance__exceptions"]

    assert result.loaded[0]["status"] == "loaded" and result.rows_parsed == 0


def test_check_names_the_layout_of_every_sample() -> None:
    reports = check_paths([FIXTURES], LAYOUTS)

    by_file = {r.source_path: r for r in reports}
    for expected, path in samples():
        report = by_file[path.relative_to(FIXTURES).as_posix()]
        assert report.layout == expected, report.lines()


def test_check_names_a_layout_for_every_layout_shipped(tmp_path: Path) -> None:
    """Every shipped layout is named by `districtwide check` on a file of its own: a vendor
    layout on its sample (above), districtwide's own layouts (no vendor sample exists) on the
    files the generator writes in them."""
    generate(tmp_path, 60, 3)
    landing = tmp_path / "landing"
    reports = check_paths([landing], LAYOUTS)
    assert all(r.layout for r in reports), [r.lines() for r in reports if not r.layout]
    named = {r.layout for r in reports} | {layout for layout, _ in samples()}
    assert named == {layout.layout for layout in LAYOUTS}
    own = {layout.layout for layout in LAYOUTS if layout.layout.startswith("districtwide_")}
    assert own <= {r.layout for r in reports}


def test_districtwide_check_command_exits_nonzero_on_an_unknown_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from districtwide.cli import main

    good = FIXTURES / "powerschool_attendance"
    bad = tmp_path / "unknown.csv"
    bad.write_text("a,b\n1,2\n")

    ok = CliRunner().invoke(main, ["check", str(good)], env={"DISTRICTWIDE_HOME": str(tmp_path)})
    not_ok = CliRunner().invoke(main, ["check", str(bad)], env={"DISTRICTWIDE_HOME": str(tmp_path)})

    assert "powerschool_attendance → attendance__exceptions" in ok.output
    assert not_ok.exit_code == 1 and "NOT RECOGNIZED" in not_ok.output
