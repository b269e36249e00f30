"""Holding back one source's new files when a blocking check fails on them, and what was published.

A load that fails a blocking rule on one source's staging or delivery audit (a half-empty file,
a broken key) holds back that source's *new* loads only: their audit rows are rewritten with
status `held` (and the rule that held them), so dbt's `latest_loads` and every rule reading
`status = 'loaded'` fall back to the loads that were last published, exactly as for a file set
aside. A held file is not tried again until new bytes arrive under its name
(`connectors.landing.Loaded` counts every try). "New" is relative to the last publication:
`record_published` keeps the load ids the served marts were built from.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from connectors.home import Home
from connectors.landing import audit_glob
from connectors.raw import cursor

PUBLISHED_FILE = "published_loads.json"


@dataclass(frozen=True)
class HeldLoad:
    load_id: str
    source: str
    source_path: str


def published_path(home: Home) -> Path:
    return home.serving.parent / PUBLISHED_FILE


def loads_in_effect(home: Home) -> list[tuple[str, str, str]]:
    """(load_id, source, source_path) of the latest loaded load of every delivered file name."""
    if not any(home.audit.glob("2*.parquet")):
        return []
    with cursor() as con:
        return con.execute(
            f"""
            select load_id, source, source_path from (
                select *, row_number() over (
                    partition by raw_table, source_file order by load_id desc) as recency
                from read_parquet('{audit_glob(home)}', union_by_name=true)
                where status = 'loaded' and load_id is not null)
            where recency = 1 order by load_id
            """
        ).fetchall()


def record_published(home: Home) -> Path:
    """Remember the loads the served marts were just built from (atomic, by rename)."""
    path = published_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    tmp.write_text(json.dumps(sorted(row[0] for row in loads_in_effect(home)), indent=1))
    os.replace(tmp, path)
    return path


def published_loads(home: Home) -> frozenset[str] | None:
    """The load ids of the last publication; None when nothing was ever published."""
    try:
        return frozenset(json.loads(published_path(home).read_text()))
    except (FileNotFoundError, ValueError):
        return None


def new_loads(home: Home, sources: Collection[str]) -> list[HeldLoad]:
    """The loads of `sources` now in effect that the last publication did not have."""
    published = published_loads(home) or frozenset()
    return [
        HeldLoad(load_id, source, path)
        for load_id, source, path in loads_in_effect(home)
        if source in sources and load_id not in published
    ]


def published_sources(home: Home) -> frozenset[str]:
    """The sources the last publication had loads of ({} when nothing was ever published)."""
    published = published_loads(home)
    if not published or not any(home.audit.glob("2*.parquet")):
        return frozenset()
    with cursor() as con:
        rows = con.execute(
            f"select distinct source from read_parquet('{audit_glob(home)}', union_by_name=true) "
            "where list_contains($ids, load_id)",
            {"ids": sorted(published)},
        ).fetchall()
    return frozenset(row[0] for row in rows)


def hold(home: Home, loads: Sequence[HeldLoad], reason: str) -> None:
    """Mark `loads` held in the audit: their earlier loads are back in effect for the build."""
    for load in loads:
        _set_status(home, load, "held", f"{load.source_path}: held back: {reason}")


def release(home: Home, loads: Sequence[HeldLoad]) -> None:
    """Undo `hold`: the loads are in effect again (holding them back did not help)."""
    for load in loads:
        _set_status(home, load, "loaded", None)


def _set_status(home: Home, load: HeldLoad, status: str, error: str | None) -> None:
    set_status(home, load.load_id, status, error)


def set_status(home: Home, load_id: str, status: str, error: str | None) -> None:
    """Rewrite one load's audit row (tmp + rename, as it was written): `held` and `retracted`
    take a load out of effect, `loaded` puts it back."""
    path = home.audit / f"{load_id}.parquet"
    tmp = path.with_name(f".{path.name}.{status}.part")
    with cursor() as con:
        con.execute(
            "copy (select * replace ($status::varchar as status, $error::varchar as error) "
            f"from read_parquet('{path}', union_by_name=true)) to '{tmp}' (format parquet)",
            {"status": status, "error": error},
        )
    os.replace(tmp, path)
