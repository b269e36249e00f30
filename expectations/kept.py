"""The last result of each suite, kept between runs, so a merge re-checks only what it changed.

A one-day attendance merge (connectors/increments.py) rebuilds the ~20 models downstream of
the attendance exceptions and leaves every other table as it was; running all 34 suites again
cost most of the checks step. A suite whose result is kept here is not run again but its kept
result is reported (and written to this run's quality history, so the emails and the run
counts are as before), as long as:

- the suite is the same: its rules and thresholds, and the code that runs them (`fingerprint`);
- no table it reads changed since: the dbt build drops, before it starts, the kept result of
  every suite reading a table it will rebuild (`forget`; every result before a full build), so
  a build that fails half-way still leaves no stale result;
- it reads no view over a raw source (`audit.file_loads`): those change with every load,
  without a build; such suites always run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from expectations.result import ExpectationOutcome, SuiteResult
from expectations.spec import SuiteSpec

# A `schema.table` a rule's SQL names (the suite's own table is read as `rules.BATCH`).
_TABLE_NAME = re.compile(r"\b(staging|intermediate|marts|quarantine|audit|crosswalks|seeds)\.(\w+)")


def kept_path(warehouse: Path) -> Path:
    return warehouse.parent / "quality_kept.json"


def reads(suite: SuiteSpec) -> list[str]:
    """The warehouse tables the suite's rules read: its own and any its SQL names."""
    named = {suite.table}
    for spec in suite.expectations:
        named |= {f"{s}.{t}" for s, t in _TABLE_NAME.findall(repr(dict(spec.kwargs)))}
    return sorted(named)


@cache
def _code_digest() -> str:
    """The expectations package's source: a change to how rules run re-runs every suite."""
    digest = hashlib.sha256()
    root = Path(__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(suite: SuiteSpec) -> str:
    """The suite as it would run now: its declaration (rules, thresholds) and the code."""
    return hashlib.sha256(f"{suite!r}\x00{_code_digest()}".encode()).hexdigest()


def _read(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _write(path: Path, entries: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    tmp.write_text(json.dumps(entries, indent=1, default=str))
    os.replace(tmp, path)


def forget(warehouse: Path, tables: Iterable[str] | None = None) -> None:
    """Drop the kept results of the suites reading any of `tables`; of every suite if None."""
    path = kept_path(warehouse)
    if tables is None:
        path.unlink(missing_ok=True)
        return
    changed = set(tables)
    entries = _read(path)
    left = {name: e for name, e in entries.items() if not changed & set(e["reads"])}
    if left != entries:
        _write(path, left)


def keep(warehouse: Path, suites: Sequence[SuiteSpec], results: Sequence[SuiteResult]) -> None:
    """Keep each suite's result of this run (suites that could not run keep none)."""
    path = kept_path(warehouse)
    entries = _read(path)
    by_name = {suite.name: suite for suite in suites}
    for result in results:
        suite = by_name[result.suite]
        entries[suite.name] = {
            "fingerprint": fingerprint(suite),
            "reads": reads(suite),
            "result": _to_dict(result),
        }
    _write(path, entries)


def carried(
    warehouse: Path, suites: Sequence[SuiteSpec], volatile: set[str], run_id: str
) -> dict[str, SuiteResult]:
    """The kept results still valid for `suites` (by name), as results of run `run_id`; a suite
    reading a table of `volatile` (views over raw sources) is never carried."""
    entries = _read(kept_path(warehouse))
    found = {}
    for suite in suites:
        entry = entries.get(suite.name)
        if (
            entry is None
            or entry["fingerprint"] != fingerprint(suite)
            or set(reads(suite)) & volatile
        ):
            continue
        found[suite.name] = replace(_from_dict(entry["result"]), run_id=run_id)
    return found


def _to_dict(result: SuiteResult) -> dict[str, Any]:
    return {
        "suite": result.suite,
        "domain": result.domain,
        "asset_key": list(result.asset_key),
        "table": result.table,
        "run_id": result.run_id,
        "checked_at": result.checked_at.isoformat(),
        "seconds": result.seconds,
        "outcomes": [o.to_dict() for o in result.outcomes],
        "data_docs_index": str(result.data_docs_index) if result.data_docs_index else None,
    }


def _from_dict(data: dict[str, Any]) -> SuiteResult:
    return SuiteResult(
        suite=data["suite"],
        domain=data["domain"],
        asset_key=list(data["asset_key"]),
        table=data["table"],
        run_id=data["run_id"],
        checked_at=datetime.fromisoformat(data["checked_at"]),
        seconds=data["seconds"],
        outcomes=tuple(ExpectationOutcome(**o) for o in data["outcomes"]),
        data_docs_index=Path(data["data_docs_index"]) if data["data_docs_index"] else None,
    )
