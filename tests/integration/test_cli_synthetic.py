"""`districtwide synthetic` and `python -m synthetic` are one generator: same arguments, same bytes.

Integration: it generates two 600-student districts.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from districtwide.cli import main

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


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
