"""The landing DuckDB (connectors.raw.cursor) opens with the district's memory cap and spill
folder (`EnvironmentSettings.duckdb_config`), not DuckDB's 80% of the machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors import raw


def test_the_landing_database_takes_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(tmp_path))
    monkeypatch.setenv("DISTRICTWIDE_DUCKDB_MEMORY", "700MB")
    monkeypatch.setenv("DISTRICTWIDE_DUCKDB_TEMP", str(tmp_path / "spill"))
    monkeypatch.setattr(raw, "_database", None)
    with raw.cursor() as con:
        memory, temp, threads = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory'), "
            "current_setting('threads')"
        ).fetchone()
    # DuckDB prints 700MB (decimal) in binary units.
    assert memory == "667.5 MiB" and temp == str(tmp_path / "spill") and threads == 1
