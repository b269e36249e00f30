"""`districtwide load --years`: a school year or a range of consecutive ones, refused otherwise
before anything is loaded (the load itself: tests/integration/test_school_year_builds.py)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from districtwide.cli import main


@pytest.mark.parametrize("years", ["2025-2022", "2022,2024", "last", "2024-"])
def test_a_value_that_is_not_consecutive_years_is_refused(years: str) -> None:
    result = CliRunner().invoke(main, ["load", "--years", years], env={"DISTRICTWIDE_HOME": ""})
    assert result.exit_code == 2
    assert "--years" in result.output
    assert "Loading" not in result.output


def test_the_option_is_documented() -> None:
    result = CliRunner().invoke(main, ["load", "--help"])
    assert result.exit_code == 0
    assert "--years YYYY[-YYYY]" in result.output
