"""Retracting a delivered file: taking its load out of the warehouse without losing the record.

A file that loaded but should not have (a wrong district's export, a half export, an original
whose correction arrived under another name and which still holds results the correction
dropped) is retracted by its name or its sha256: its audit row gets status `retracted`, so dbt's
`latest_loads` and every rule reading `status = 'loaded'` leave its raw rows out from the next
build on, and the previous delivery of the same name (if any) is back in effect. Nothing is
deleted: the archive keeps the file and raw its rows, and `--undo` puts the load back.
Deleting a file from landing retracts nothing (the archive is the record; an unchanged file left
in landing is skipped by its sha256, retracted or not).

It takes the data folder's lock exclusively (`connectors.datalock`), like a backup: a running
load finishes first, and the next one builds without the retracted rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from connectors.datalock import quiescent
from connectors.holds import set_status
from connectors.home import Home
from connectors.landing import audit_glob
from connectors.raw import cursor

_SHA = re.compile(r"^[0-9a-f]{8,64}$")


class RetractError(ValueError):
    """Nothing (or nothing unambiguous) matches what was asked to be retracted."""


@dataclass(frozen=True)
class Retraction:
    """One load retracted (or put back), and what is in effect for its file name now."""

    load_id: str
    raw_table: str
    source_path: str
    sha256: str
    rows_parsed: int
    # The source path of the load of the same name now in effect, None when there is none.
    now_in_effect: str | None


def retract(
    home: Home, what: str, reason: str, *, undo: bool = False, timeout: float | None = None
) -> list[Retraction]:
    """Retract the load(s) `what` names: a sha256 (8 or more leading hex digits: every load of
    those bytes), or a delivered file's name or landing path (the load of that name in effect).
    With `undo`, put retracted loads back instead. Raises RetractError when nothing matches."""
    with quiescent(home.root, timeout):
        loads = _matching(home, what, "retracted" if undo else "loaded")
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        for load_id, _, source_path, *_ in loads:
            if undo:
                set_status(home, load_id, "loaded", None)
            else:
                set_status(home, load_id, "retracted", f"{source_path}: retracted {when}: {reason}")
        return [
            Retraction(load_id, table, path, sha, rows or 0, _in_effect(home, table, path))
            for load_id, table, path, sha, rows in loads
        ]


def _matching(home: Home, what: str, status: str) -> list[tuple[str, str, str, str, int]]:
    """(load_id, raw_table, source_path, sha256, rows_parsed) of the loads `what` names."""
    if not any(home.audit.glob("2*.parquet")):
        raise RetractError(f"{home.audit}: no load recorded yet; nothing to retract")
    what = what.strip()
    by_sha = bool(_SHA.match(what.lower()))
    with cursor() as con:
        rows = con.execute(
            f"""
            select load_id, raw_table, source_path, sha256, rows_parsed,
                row_number() over (
                    partition by raw_table, source_file order by load_id desc) as recency
            from read_parquet('{audit_glob(home)}', union_by_name=true)
            where status = $status and (
                ($by_sha and starts_with(sha256, $sha))
                or (not $by_sha and (source_path = $what or source_file = $name)))
            order by load_id
            """,
            {
                "status": status,
                "by_sha": by_sha,
                "sha": what.lower(),
                "what": what,
                "name": PurePosixPath(what).name,
            },
        ).fetchall()
    if not by_sha:
        # A name: the load of that name in effect (the latest), not the earlier ones it replaced.
        rows = [row for row in rows if row[5] == 1]
    loads = [row[:5] for row in rows]
    if not loads:
        kind = "sha256" if by_sha else "file name or landing path"
        state = "retracted" if status == "retracted" else "in effect"
        raise RetractError(f"no load {state} has the {kind} {what!r} (see raw/_audit/)")
    paths = {row[2] for row in loads}
    if not by_sha and len(paths) > 1:
        raise RetractError(
            f"{what!r} names {len(paths)} files ({', '.join(sorted(paths))}): give the landing "
            "path or the sha256"
        )
    return loads


def _in_effect(home: Home, raw_table: str, source_path: str) -> str | None:
    """The source path of the load of `source_path`'s file name now in effect, if any."""
    with cursor() as con:
        row = con.execute(
            f"""
            select source_path || ' (loaded ' || strftime(loaded_at, '%Y-%m-%d %H:%M') || ')'
            from read_parquet('{audit_glob(home)}', union_by_name=true)
            where status = 'loaded' and raw_table = $table and source_file = $name
            order by load_id desc limit 1
            """,
            {"table": raw_table, "name": PurePosixPath(source_path).name},
        ).fetchall()
    return row[0][0] if row else None
