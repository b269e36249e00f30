"""Holding back a source needs an earlier publication of it: otherwise the marts would lose it."""

from __future__ import annotations

from pathlib import Path

import duckdb

from connectors.holds import published_sources, record_published
from connectors.home import Home


def write_audit(home: Home, load_id: str, source: str, name: str) -> None:
    home.audit.mkdir(parents=True, exist_ok=True)
    duckdb.sql(
        f"""copy (select '{load_id}' as load_id, '{source}' as source,
                  '{source}__x' as raw_table, '{name}' as source_file,
                  '{source}/{name}' as source_path, 'loaded' as status)
            to '{home.audit / f"{load_id}.parquet"}' (format parquet)"""
    )


def test_published_sources_are_those_the_served_marts_were_built_from(tmp_path: Path) -> None:
    home = Home(tmp_path).ensure()
    write_audit(home, "20261201T000000-aaaa", "sis", "users.csv")
    assert published_sources(home) == frozenset(), "nothing published yet: no source may be held"

    record_published(home)
    write_audit(home, "20261202T000000-bbbb", "assessment", "state.csv")

    assert published_sources(home) == {"sis"}, "the state file's source was never published"
