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
