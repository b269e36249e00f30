"""What the next dbt build may merge instead of rebuilding: the raw increments of the daily
attendance that arrived since the last finished build, and nothing else changed.

A database feed marked incremental (connectors/databases/schemas.py) loads the rows added or
changed since its last load as an increment (`<name> (increment <time>)`). dbt's incremental
attendance models merge exactly the increments listed here (`NEW_LOADS_ENV`); every other
change makes the build a full one (`--full-refresh`), so the incremental models can never drift
from a rebuild:

- any load, retraction or hold of any raw table other than an attendance increment (a whole
  load of the feed after a deletion or a drift, a SIS delivery: identity, spans and calendars
  feed the attendance facts);
- an increment retracted after it was merged;
- a changed crosswalk or district setting (`config/`), dbt variable or model (the manifest's
  checksums);
- no record of a finished build: the record is removed before each build and written after it
  succeeded, so a build that failed or was killed half-way is followed by a full one.

A merge builds only the models downstream of the attendance exceptions (`DBT_SOURCES`): by
the rules above nothing else changed, so every other model stays as the last build left it.

A build of some school years (`for_school_years`) keeps likewise every model whose inputs did not
change since the last finished build: it builds the year-dependent models (`YEAR_MODELS`), and
the models downstream of them or of a raw table whose loads changed; the SIS and identity models
of a backfill asked for after the whole load are not built again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import duckdb

from connectors.home import Home
from connectors.landing import audit_glob
from settings.environment import scoped_environ

#: Raw tables whose increments the dbt models merge.
INCREMENTAL_TABLES = ("attendance__exceptions",)
INCREMENT_MARK = " (increment "
#: What a merge builds: the models downstream of the incremental raw tables (dbt sources).
#: Nothing else can have changed (the plan says so): every other model stays as it is.
DBT_SOURCES = ("raw_attendance.exceptions", "raw_attendance.exceptions__rejects")
#: The dbt selector of the models a school-year build replaces the years' rows of
#: (dbt_project.yml): built, with every model downstream of them, in every year build.
YEAR_MODELS = "tag:by_school_year"
#: The environment variable dbt's `attendance_new_loads` macro reads: the load ids merged.
NEW_LOADS_ENV = "DISTRICTWIDE_ATTENDANCE_NEW_LOADS"


@dataclass(frozen=True)
class BuildPlan:
    """A full build (`full_refresh`, and why) or the increments to merge (`new_loads`)."""

    full_refresh: bool
    reason: str
    fingerprint: str
    increments: list[str] = field(default_factory=list)  # every loaded increment now
    new_loads: list[str] = field(default_factory=list)  # those not merged yet
    #: Each raw table's digest (its audit rows: loads, retractions, holds) and the digest of
    #: the settings and models: what a year build compares with the last build's.
    tables: dict[str, str] = field(default_factory=dict)
    settings: str = ""
    #: A year build's dbt selectors (`for_school_years`): it builds what is downstream of them.
    roots: tuple[str, ...] | None = None
    #: A year build with no raw table changed since the last build's record: it leaves every
    #: year as a whole build would, and records itself.
    every_year_current: bool = False

    @property
    def downstream_of(self) -> tuple[str, ...] | None:
        """The dbt selectors (`source:<source>.<table>`, `tag:<tag>`) whose downstream nodes
        this build builds, keeping every other model as it is; None: every model."""
        if not self.full_refresh:
            return tuple(f"source:{name}" for name in DBT_SOURCES)
        return self.roots

    def changed_tables(self, manifest: Path) -> set[str] | None:
        """The warehouse relations (`schema.name`) this build rewrites; None: every one."""
        if self.downstream_of is None:
            return None
        graph = json.loads(manifest.read_text())
        downstream = downstream_nodes(graph, self.downstream_of)
        return {_relation(graph["nodes"][uid]) for uid in downstream if uid in graph["nodes"]}

    def dbt_env(self) -> dict[str, str]:
        """What the attendance models merge (dbt's `attendance_new_loads` macro reads it). An
        environment variable, not a dbt var: new load ids in `--vars` made dbt parse the whole
        project again before every merge (its vars changed); the models read the variable when
        they are compiled, and dbt's parse cache stays valid."""
        return {NEW_LOADS_ENV: "" if self.full_refresh else ",".join(self.new_loads)}


@contextmanager
def merging(plan: BuildPlan) -> Iterator[None]:
    """The plan's increments in this process's environment for the dbt build run inside it
    (dbt runs in this process), the earlier value back after."""
    with scoped_environ(plan.dbt_env()):
        yield


def downstream_nodes(manifest: dict, roots: Iterable[str]) -> set[str]:
    """The unique ids of the dbt nodes dbt's `<root>+` selects for each of `roots`, from a
    parsed manifest: every node downstream of a source (`source:<source>.<table>`), or a
    tag's nodes (`tag:<tag>`) and every node downstream of them."""
    project = manifest["metadata"]["project_name"]
    downstream: set[str] = set()
    todo: list[str] = []
    for root in roots:
        kind, _, name = root.partition(":")
        if kind == "source":
            todo.append(f"source.{project}.{name}")
        elif kind == "tag":
            tagged = [uid for uid, node in manifest["nodes"].items() if name in node["tags"]]
            downstream.update(tagged)
            todo += tagged
        else:
            raise ValueError(f"not a source or tag selector: {root!r}")
    while todo:
        for child in manifest["child_map"].get(todo.pop(), []):
            if child not in downstream:
                downstream.add(child)
                todo.append(child)
    return downstream


def _relation(node: dict) -> str:
    return f"{node['schema']}.{node.get('alias') or node['name']}"


def views_over_sources(manifest: Path) -> set[str]:
    """The views that read a raw source (through views only): their rows change with every
    load, without a dbt build (`audit.file_loads`)."""
    graph = json.loads(manifest.read_text())
    nodes = graph["nodes"]

    def is_view(uid: str) -> bool:
        node = nodes.get(uid)
        return (
            bool(node)
            and node["resource_type"] == "model"
            and (node["config"].get("materialized") == "view")
        )

    todo = [
        uid
        for uid in nodes
        if is_view(uid) and any(p.startswith("source.") for p in graph["parent_map"].get(uid, []))
    ]
    found: set[str] = set()
    while todo:
        uid = todo.pop()
        if uid not in found:
            found.add(uid)
            todo += [child for child in graph["child_map"].get(uid, []) if is_view(child)]
    return {_relation(nodes[uid]) for uid in found}


def record_path(home: Home) -> Path:
    return home.warehouse.parent / "increments.json"


def _audit(home: Home) -> list[tuple]:
    if not any(home.audit.glob("*.parquet")):
        return []
    with duckdb.connect() as con:
        return con.execute(
            f"select load_id, raw_table, source_file, status "
            f"from read_parquet('{audit_glob(home)}', union_by_name = true) order by all"
        ).fetchall()


def _files_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []:
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _digest(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def _last_build(home: Home) -> dict | None:
    """The record of the last finished build, if there is one and its warehouse."""
    path = record_path(home)
    if not path.exists() or not home.warehouse.exists():
        return None
    return json.loads(path.read_text())


def _models_digest(manifest: Path) -> str:
    nodes = json.loads(manifest.read_text())["nodes"]
    checksums = {uid: node.get("checksum", {}).get("checksum") for uid, node in nodes.items()}
    return hashlib.sha256(json.dumps(checksums, sort_keys=True).encode()).hexdigest()


def plan(home: Home, dbt_vars: str, manifest: Path) -> BuildPlan:
    """The plan of the next build, from the audit, the config folder, the dbt variables and the
    models, against the record of the last finished build."""
    rows = _audit(home)
    increments = sorted(
        load_id
        for load_id, raw_table, source_file, status in rows
        if raw_table in INCREMENTAL_TABLES and INCREMENT_MARK in source_file and status == "loaded"
    )
    merged_or_new = set(increments)
    # Every other row (an increment's too, whatever its status: one retracted after its merge
    # is caught below, one retracted before never counted).
    rest = [
        list(r) for r in rows if not (r[1] in INCREMENTAL_TABLES and INCREMENT_MARK in (r[2] or ""))
    ]
    settings = _digest(_files_digest(home.root / "config"), dbt_vars, _models_digest(manifest))
    fingerprint = _digest(json.dumps(rest, default=str), settings)
    # An unrecognized or refused file has no raw table: no model reads it.
    tables = {
        table: _digest(json.dumps([list(r) for r in rows if r[1] == table], default=str))
        for table in sorted({r[1] for r in rows if r[1] is not None})
    }

    def full(reason: str) -> BuildPlan:
        return BuildPlan(True, reason, fingerprint, increments, tables=tables, settings=settings)

    last = _last_build(home)
    if last is None:
        return full("no record of a finished build")
    if last["fingerprint"] != fingerprint:
        return full("a load other than an attendance increment, or a setting or model, changed")
    if not set(last["increments"]) <= merged_or_new:
        return full("a merged attendance increment was retracted")
    new = [i for i in increments if i not in set(last["increments"])]
    reason = f"{len(new)} attendance increment(s) to merge"
    return BuildPlan(False, reason, fingerprint, increments, new, tables, settings)


def for_school_years(home: Home, built: BuildPlan, manifest: Path) -> BuildPlan:
    """`built` (a rebuild) as a build of some school years that keeps every model whose inputs
    did not change since the last finished build: it builds the year-dependent models and the
    models downstream of them (`YEAR_MODELS`) or of a raw table whose audit rows changed (a
    load, a retraction, a hold, an increment). `built` itself (every model) when there is no
    record, or the settings or models changed, or a changed raw table has no dbt source.

    Called before `forget`. With no raw table changed, the build leaves every year as a whole
    build of the same inputs would (`every_year_current`): its record may be kept.
    """
    last = _last_build(home)
    if last is None or last.get("settings") != built.settings:
        return built
    before = last.get("tables", {})
    changed = sorted(t for t in {*built.tables, *before} if built.tables.get(t) != before.get(t))
    graph = json.loads(manifest.read_text())
    sources, project = set(graph["sources"]), graph["metadata"]["project_name"]
    roots = [YEAR_MODELS]
    for table in changed:
        source, _, entity = table.partition("__")
        names = (f"raw_{source}.{entity}", f"raw_{source}.{entity}__rejects")
        if f"source.{project}.{names[0]}" not in sources:
            return built
        roots += [f"source:{n}" for n in names if f"source.{project}.{n}" in sources]
    kept = f"{len(changed)} raw tables changed since the last build, the other models kept"
    return replace(
        built,
        reason=f"{built.reason}; {kept}",
        roots=tuple(roots),
        every_year_current=not changed,
    )


def rebuild(plan: BuildPlan, reason: str) -> BuildPlan:
    """`plan` as a build (no merge), for `reason`, with the same fingerprint and increments: its
    record after is what a full build of the same inputs leaves."""
    return replace(plan, full_refresh=True, reason=reason, new_loads=[])


def forget(home: Home) -> None:
    """Before a build: no record until it finishes (a failed build is followed by a full one)."""
    record_path(home).unlink(missing_ok=True)


def remember(home: Home, built: BuildPlan) -> None:
    """After a build that succeeded: what it was built from."""
    path = record_path(home)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    tmp.write_text(json.dumps(asdict(built), indent=1))
    os.replace(tmp, path)
