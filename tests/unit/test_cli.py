"""The `districtwide` command: every subcommand listed, each imported only when called."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from districtwide.cli import COMMANDS, main

REPO = Path(__file__).resolve().parents[2]


def test_every_subcommand_is_listed_and_loads() -> None:
    runner = CliRunner()
    listing = runner.invoke(main, ["--help"])
    assert listing.exit_code == 0
    for name in COMMANDS:
        assert name in listing.output
        assert runner.invoke(main, [name, "--help"]).exit_code == 0, name


def test_help_imports_no_pipeline() -> None:
    code = (
        "import sys; from districtwide.cli import main\n"
        "try: main(['--help'])\nexcept SystemExit: pass\n"
        "assert 'dagster' not in sys.modules and 'dbt' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, capture_output=True)


def test_instance_show_prints_the_configuration() -> None:
    result = CliRunner().invoke(
        main, ["instance", "show"], env={"DISTRICTWIDE_DAGSTER_STORAGE": ""}
    )
    assert result.exit_code == 0
    assert "PooledSqliteEventLogStorage" in result.output


def test_synthetic_is_a_subcommand_and_a_module(tmp_path: Path) -> None:
    args = ["--students", "600", "--seed", "5", "--clean"]
    via_cli = CliRunner().invoke(main, ["synthetic", *args, "--out", str(tmp_path / "a")])
    assert via_cli.exit_code == 0, via_cli.output
    subprocess.run(
        [sys.executable, "-m", "synthetic", *args, "--out", str(tmp_path / "b")],
        check=True,
        cwd=REPO,
        capture_output=True,
    )
    for path in (tmp_path / "a").rglob("*.csv"):
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()
