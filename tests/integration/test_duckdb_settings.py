"""The landing DuckDB (connectors.raw.cursor) opens with the district's memory cap and spill
folder (`EnvironmentSettings.duckdb_config`), not DuckDB's 80% of the machine, and a query past
the cap spills there instead of failing."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors import raw


def test_the_landing_database_takes_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(tmp_path))
    monkeypatch.setenv("DISTRICTWIDE_DUCKDB_MEMORY", "100MB")
    spill = tmp_path / "fast" / "spill"  # its parent does not exist yet
    monkeypatch.setenv("DISTRICTWIDE_DUCKDB_TEMP", str(spill))
    monkeypatch.setattr(raw, "_database", None)
    with raw.cursor() as con:
        memory, temp, threads = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory'), "
            "current_setting('threads')"
        ).fetchone()
        # ~150 MB of sort keys under a 100 MB cap: sorted by spilling into the folder.
        con.execute(
            "create temp table sorted as select md5(i::varchar) || md5((i + 1)::varchar) as k "
            "from range(1500000) t(i) order by k"
        )
        assert con.execute("select count(*) from sorted").fetchone()[0] == 1_500_000
        spilled = con.execute(
            "select coalesce(sum(size), 0) from duckdb_temporary_files()"
        ).fetchone()[0]
    # DuckDB prints 100MB (decimal) in binary units.
    assert memory == "95.3 MiB" and temp == str(spill) and threads == 1
    assert spill.is_dir() and spilled > 0
