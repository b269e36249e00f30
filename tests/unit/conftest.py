"""Fixtures of the unit tests, and the guard that keeps them fast.

Unit tests start no DuckDB (nor dbt, Great Expectations, Dagster or the generator at scale):
`make test-fast` stays under a minute. A test that opens a DuckDB connection here fails with where
it belongs instead of slowing every developer's loop.
"""

from __future__ import annotations

import duckdb
import pytest

from settings import EXAMPLE_CONFIG, DistrictConfig, load_config


@pytest.fixture(autouse=True)
def _no_duckdb(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a unit test started DuckDB: move it to tests/integration")

    for name in ("connect", "sql", "query", "execute", "read_csv", "read_parquet"):
        monkeypatch.setattr(duckdb, name, refuse)


@pytest.fixture
def config() -> DistrictConfig:
    """The shipped example district config (settings/district.example.yaml)."""
    return load_config(EXAMPLE_CONFIG)
