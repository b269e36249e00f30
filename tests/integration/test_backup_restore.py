"""`districtwide backup` / `restore`: a loaded data folder backed up, destroyed and restored reads
the same served marts, keeps its Dagster run history, and loads again."""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from dagster import DagsterInstance

from connectors import datalock, warehouse
from connectors.home import Home
from districtwide.backup import MANIFEST, restore
from districtwide.cli import main
from orchestration.instance import write_instance_yaml
from serving.publish import content_checksum
from tests.conftest import generate


def load(home: Home) -> str:
    """The consolidated load in the data folder's own SQLite Dagster instance; the run's id."""
    from devtools.demo import run_consolidated_load

    instance = DagsterInstance.get()
    try:
        result = run_consolidated_load(instance)
        assert result.success
        return result.run_id
    finally:
        instance.dispose()


def test_backup_destroy_restore_reads_the_same_served_marts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = Home(tmp_path / "data")
    generate(home.root, 300, 11)
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(home.root))
    monkeypatch.setenv("DAGSTER_HOME", str(home.root / "dagster"))
    write_instance_yaml(home.root / "dagster" / "dagster.yaml", "sqlite")
    run_id = load(home.ensure())
    served = content_checksum(home.serving)
    # Every served table holds rows, but growth from one fall to the next (a second year).
    two_years = {"agg_growth_fall_to_fall_by_school_grade", "fct_student_growth_across_years"}
    two_years |= {"rpt_growth_fall_to_fall"}
    assert served and all(
        rows for name, (rows, _) in served.items() if name.split(".")[-1] not in two_years
    )
    with warehouse.connect(home.warehouse) as con:
        students = con.execute("select count(*) from marts.dim_student").fetchone()[0]

    out = tmp_path / "backups" / "nightly.tar.gz"
    cli = CliRunner()
    result = cli.invoke(main, ["backup", str(out), "--home", str(home.root)])
    assert result.exit_code == 0, result.output
    with tarfile.open(out) as tar:
        names = set(tar.getnames())
    assert MANIFEST in names and "serving/districtwide.duckdb" in names
    assert "warehouse/warehouse.duckdb" in names and "warehouse/marts.duckdb" in names
    assert any(n.startswith("archive/") for n in names) and "dagster/dagster.yaml" in names
    assert any(n.startswith("dagster/history/") and n.endswith(".db") for n in names)
    assert not any(n.startswith("work/") or n == datalock.LOCK_FILE for n in names)

    shutil.rmtree(home.root)
    result = cli.invoke(main, ["restore", str(out), "--home", str(home.root)])
    assert result.exit_code == 0, result.output

    assert content_checksum(home.serving) == served
    with warehouse.connect(home.warehouse) as con:
        assert con.execute("select count(*) from marts.dim_student").fetchone()[0] == students
    instance = DagsterInstance.get()
    try:
        assert instance.get_run_by_id(run_id).is_success  # the run history came back too
    finally:
        instance.dispose()
    # The restored folder is a working one: the next load skips the files already loaded
    # (their sha256 is in the restored audit) and serves the same marts; only the log of
    # quality runs gains this run, by design.
    load(home)
    again = content_checksum(home.serving)
    log = "rpt_quality_checks_by_run"
    assert again.pop(log)[0] > served.pop(log)[0]
    assert again == served

    # A restore never mixes two folders, and a load in progress (a run holding the lock)
    # makes a backup wait rather than copy a file being written.
    result = cli.invoke(main, ["restore", str(out), "--home", str(home.root)])
    assert result.exit_code != 0 and "not empty" in result.output
    with datalock.writing(home.root):
        result = cli.invoke(main, ["backup", str(out), "--home", str(home.root), "--wait", "0.2"])
    assert isinstance(result.exception, datalock.FolderBusy)
    assert out.is_file() and not list(out.parent.glob(".*.partial"))


def test_a_file_that_is_no_backup_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "other.tar.gz"
    with tarfile.open(fake, "w:gz") as tar:
        tar.add(__file__, arcname="notes.py")
    with pytest.raises(ValueError, match="not a districtwide backup"):
        restore(fake, tmp_path / "data")
