"""dbt run inside the Dagster step (dbt's `dbtRunner`), with dagster-dbt's selection and events.

A dbt subprocess spends 4-5 s of single-threaded CPU before its first model: importing dbt and
its adapter, generating its serializers, validating the project. It then prints each of its
~5,000 events of a build as JSON, and Dagster parses every line back. The Dagster process has
already imported dbt (dagster-dbt needs it), so a build started here only pays for the build.
dagster-dbt still chooses what to build for the run's asset subset, and turns dbt's result events
into Outputs and asset check results, exactly as it does for its CLI resource.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Collection, Iterator, Sequence
from functools import cached_property
from graphlib import TopologicalSorter
from importlib.metadata import version as installed_version
from pathlib import Path
from queue import SimpleQueue
from typing import Any

from dagster import AssetExecutionContext, AssetKey, MetadataValue, Output
from dagster_dbt import DagsterDbtTranslator, DbtCliResource
from dagster_dbt.asset_utils import (
    DbtCliInvocationPartialParams,
    extract_runtime_selection_from_args,
    get_updated_cli_invocation_params_for_context,
)
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
from dagster_dbt.errors import DagsterDbtCliRuntimeError
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner
from dbt_common.events.functions import msg_to_dict
from packaging import version

from alerts.causes import crash_cause
from connectors.increments import downstream_nodes

# dbt's events that carry a node's result (what dagster-dbt turns into Dagster events).
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})
# Their statuses that fail the build (a test's `warn` does not).
FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})


class DistrictwideDbt(DbtCliResource):
    """dagster-dbt's dbt resource, with `build_in_process` for the nightly build.

    `cli` (a dbt subprocess) still works, for one-off commands. Its two start-up extras are
    skipped: `dbt --version` in a subprocess (to tell dbt Core from Fusion; the installed
    dbt-core says) and an adapter built in this process, used only by `fetch_row_counts`.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        del args
        return None

    def build_in_process(
        self,
        args: Sequence[str],
        *,
        context: AssetExecutionContext,
        target_path: Path,
        downstream_of: Sequence[str] | None = None,
        read_after: Collection[AssetKey] | None = None,
    ) -> Iterator[Any]:
        """Run `dbt <args>` for the run's selection here; yield dagster-dbt's events as nodes end.

        dbt runs on a worker thread; its result events come back through a queue, so Dagster
        records each model and test as it finishes. A failed node fails the step after every
        result has been reported, as with the CLI.

        With `downstream_of` (dbt selectors, `source:<source>.<table>` or `tag:<tag>`) and
        every model selected, dbt builds only the nodes `<selector>+` selects: the models whose
        inputs changed.
        Every other model is reported first (Dagster wants a multi-asset's outputs in
        dependency order) as materialized, with metadata saying it was kept unchanged, so the
        steps after the build (the checks, the publication) run as after a whole build: with
        `read_after` (the keys those steps depend on), only those are reported; Dagster allows a
        multi-asset's dependency to go unreported, and each report cost it two events. The
        views among the downstream models are not created again either (their SQL is unchanged
        and a view reads its tables when queried; each took 1-3 s of dbt's time on a loaded VM),
        but their data tests run, after the tables they read; each view is reported just before
        the first result of a node that reads it (the others after the build).
        """
        cleaned, selects, excludes = extract_runtime_selection_from_args(list(args))
        params = get_updated_cli_invocation_params_for_context(
            context=context,
            manifest={},
            dagster_dbt_translator=DagsterDbtTranslator(),
            runtime_selects=selects,
            runtime_excludes=excludes,
        )
        narrowed = downstream_of is not None and not context.is_subset
        only = " ".join(f"{root}+" for root in downstream_of or ())
        if narrowed:
            params = DbtCliInvocationPartialParams(
                manifest=params.manifest,
                dagster_dbt_translator=params.dagster_dbt_translator,
                selection_args=["--select", *_built_downstream(downstream_of or ())],
                indirect_selection=params.indirect_selection,
                dbt_project=params.dbt_project,
            )
        project_dir = Path(
            params.dbt_project.project_dir if params.dbt_project else self.project_dir
        )
        indirect = params.indirect_selection
        argv = [
            *cleaned,
            *self.global_config_flags,
            *params.selection_args,
            *(["--indirect-selection", indirect] if indirect else []),
            *(["--target", self.target] if self.target else []),
            *(["--profile", self.profile] if self.profile else []),
            "--project-dir", str(project_dir),
            "--profiles-dir", str(self.profiles_dir or project_dir),
            "--target-path", str(target_path),
            "--log-path", str(target_path),
            # dbt's console: warnings and errors only (they reach the Dagster log below).
            "--log-level", "warn",
            "--no-send-anonymous-usage-stats",
            # dbt writes the whole manifest (1.6 MB of JSON) after parsing and again at the end:
            # ~1 s of CPU a build that nothing reads (Dagster reads the one `make` builds).
            # run_results.json is written below.
            "--no-write-json",
        ]  # fmt: skip

        stale_sql = _set_aside_written_sql(target_path)
        events: SimpleQueue = SimpleQueue()
        finished = object()
        outcome: list[Any] = []

        def on_event(msg: Any) -> None:
            if msg.info.name in RESULT_EVENTS or msg.info.level in ("warn", "error"):
                events.put(msg_to_dict(msg))

        def build() -> None:
            try:
                outcome.append(dbtRunner(callbacks=[on_event]).invoke(argv))
            except BaseException as error:  # reported by the step, on its own thread
                outcome.append(error)
            finally:
                events.put(finished)

        emitted: set[str] = set()
        downstream = downstream_nodes(params.manifest, downstream_of or ()) if narrowed else set()
        # The downstream views, reported (in dependency order, as Dagster requires) just
        # before the first result of a node that reads them, the rest after the build.
        views = [uid for uid in _dbt_nodes(params.manifest, "view") if uid in downstream]

        def views_read_by(uid: str | None) -> Iterator[Output]:
            if not views:
                return
            ancestors = _ancestors(params.manifest, uid) if uid else None
            ready = [view for view in views if ancestors is None or view in ancestors]
            for view in ready:
                views.remove(view)
            yield from _kept_outputs(
                context, params, ready, "a view, its SQL unchanged", read_after
            )

        if narrowed:
            kept = [uid for uid in _dbt_nodes(params.manifest) if uid not in downstream]
            for output in _kept_outputs(context, params, kept, f"not in `{only}`", read_after):
                emitted.add(output.output_name)
                yield output
        worker = threading.Thread(target=build, name="dbt-build", daemon=True)
        worker.start()
        failed: list[str] = []
        errors: list[str] = []
        while (raw := events.get()) is not finished:
            info, data = raw["info"], raw["data"]
            if info["name"] not in RESULT_EVENTS:
                # dbt's own warnings and errors, for the run's log (not for emails: an error
                # text may quote a value).
                (context.log.error if info["level"] == "error" else context.log.warning)(
                    info["msg"]
                )
                if info["level"] == "error":
                    errors.append(str(info["msg"]))
                continue
            if str(data.get("status", "")).lower() in FAILED_STATUSES:
                failed.append(data["node_info"]["unique_id"])
            for output in views_read_by(data.get("node_info", {}).get("unique_id")):
                emitted.add(output.output_name)
                yield output
            event = DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={})
            for dagster_event in event.to_default_asset_events(
                manifest=params.manifest,
                dagster_dbt_translator=params.dagster_dbt_translator,
                context=context,
                target_path=target_path,
                project=params.dbt_project,
            ):
                if isinstance(dagster_event, Output):
                    emitted.add(dagster_event.output_name)
                yield dagster_event
        # (A step left early, by a terminated run, leaves dbt's daemon thread to end with the
        # process, as a killed dbt subprocess would; the served marts are untouched either way.)
        worker.join()
        _delete_aside(stale_sql)
        if outcome and getattr(outcome[0], "success", False):
            for output in views_read_by(None):
                emitted.add(output.output_name)
                yield output
        _close_duckdb()
        result = outcome[0] if outcome else None
        if hasattr(getattr(result, "result", None), "write"):
            result.result.write(str(target_path / "run_results.json"))
        command = f"dbt {' '.join(cleaned)}"
        if isinstance(result, BaseException):
            raise DagsterDbtCliRuntimeError(f"{command} crashed: {result}") from result
        if result is None or not result.success:
            # Node names and the cause (a lock, out of memory, a full disk) when dbt's messages
            # name one: the messages themselves are in the run's log.
            nodes = ", ".join(failed[:10]) + (" ..." if len(failed) > 10 else "")
            exception = getattr(result, "exception", None)
            raise DagsterDbtCliRuntimeError(
                f"{command} failed ({len(failed)} nodes: {nodes or 'none; dbt itself failed'})"
                f"{_cause_text([*errors, str(exception or '')])}; "
                f"dbt's messages are in the run's log and {target_path / 'dbt.log'}"
            )


# dbt's folders of the SQL it wrote for each node (compiled and as run), kept for a reader.
WRITTEN_SQL_FOLDERS = ("compiled", "run")
# Where the previous build's folders go to be deleted, in the target path.
STALE_PREFIX = ".stale-"


def _set_aside_written_sql(target_path: Path) -> list[Path]:
    """Move the previous build's SQL files out of dbt's way; return the folders to delete.

    dbt rewrites each node's two SQL files in place. Truncating a written file frees its blocks,
    and on a disk mounted with `discard` (this VM's, a cloud volume's) that waits for the
    device: 2 x 275 files on dbt's worker threads took 7.1 s of their time in a 100,000-student
    build, 3.6 s when each is a new file in a new folder. The folders are renamed away (one
    metadata change each) and deleted after the build (`_delete_aside`), so the target path
    still holds this build's SQL for a reader.
    """
    aside: list[Path] = [p for p in target_path.glob(f"{STALE_PREFIX}*") if p.is_dir()]
    for name in WRITTEN_SQL_FOLDERS:
        folder = target_path / name
        if folder.is_dir():
            moved = target_path / f"{STALE_PREFIX}{name}-{uuid.uuid4().hex[:12]}"
            folder.rename(moved)
            aside.append(moved)
    return aside


def _delete_aside(folders: Sequence[Path]) -> None:
    """Delete the set-aside folders on a side thread: the build's result is not held up by
    their discards (a process that ends first leaves them to the next build)."""
    if folders:
        threading.Thread(
            target=lambda: [shutil.rmtree(p, ignore_errors=True) for p in folders],
            name="dbt-stale-sql",
            daemon=True,
        ).start()


def _built_downstream(roots: Sequence[str]) -> list[str]:
    """dbt selection: the tables, incremental models and data tests `<root>+` selects
    (a union of intersections: an `--exclude` of the views would drop their tests too)."""
    kinds = ("config.materialized:table", "config.materialized:incremental", "resource_type:test")
    return [f"{root}+,{kind}" for root in roots for kind in kinds]


def _ancestors(manifest: dict[str, Any], uid: str) -> set[str]:
    """The unique ids of every node `uid` reads, directly or not."""
    found: set[str] = set()
    todo = list(manifest["parent_map"].get(uid, []))
    while todo:
        parent = todo.pop()
        if parent not in found:
            found.add(parent)
            todo += manifest["parent_map"].get(parent, [])
    return found


def _dbt_nodes(manifest: dict[str, Any], materialized: str | None = None) -> list[str]:
    """The models, seeds and snapshots (those materialized so, if given), in dependency order."""
    nodes = manifest["nodes"]
    wanted = {
        uid
        for uid, node in nodes.items()
        if node["resource_type"] in ("model", "seed", "snapshot")
        and (materialized is None or node["config"].get("materialized") == materialized)
    }
    order = TopologicalSorter({uid: manifest["parent_map"].get(uid, []) for uid in wanted})
    return [uid for uid in order.static_order() if uid in wanted]


def _kept_outputs(
    context: AssetExecutionContext,
    params: DbtCliInvocationPartialParams,
    kept: Sequence[str],
    why: str,
    read_after: Collection[AssetKey] | None,
) -> Iterator[Output]:
    """An output for each selected node of `kept` (unique ids, in dependency order), which this
    build leaves as it was, and which a later step reads (`read_after`; None: every one)."""
    manifest = params.manifest
    metadata = {"dbt": MetadataValue.text(f"kept unchanged: {why}")}
    selected = context.selected_asset_keys
    for uid in kept:
        key = params.dagster_dbt_translator.get_asset_spec(manifest, uid, params.dbt_project).key
        if key in selected and (read_after is None or key in read_after):
            yield Output(value=None, output_name=key.to_python_identifier(), metadata=metadata)


def _cause_text(messages: Sequence[str]) -> str:
    """'; cause: <what>: <dbt's message>' for the crash email (`alerts.causes` names it from
    this text; the email scrubs quoted values), or '' when dbt said nothing."""
    text = " ".join(m for m in messages if m)
    cause = crash_cause(text)
    first = next((m for m in messages if m and (cause is None or crash_cause(m))), "")
    if not first:
        return ""
    first = " ".join(first.split())[:300]
    return f"; cause: {cause.name}: {first}" if cause else f"; dbt said: {first}"


def _close_duckdb() -> None:
    """Close dbt-duckdb's database handle: it stays open in the process after a build, and the
    checks and the publication open the same file with settings of their own."""
    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
    DuckDBConnectionManager.close_all_connections()
