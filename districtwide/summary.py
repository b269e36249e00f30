"""The summary printed after a consolidated load (`districtwide load`, `make demo`): what a data
team checks first, in the order they ask it.

Whether the load ran and published; the files it took, skipped as unchanged, set aside (and why)
or could not recognize (header seen, closest layouts and what they lack); each failed check in one
line, saying which ones the caller expects (the demo's data is built to trigger some); rows per
mart; rows quarantined by reason; identity match rates; the alerts sent; elapsed time and where
the warehouse is. Everything is read from the run's Dagster events, the landing audit, the
quality history and the warehouse, so it says what happened, not what was meant to.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb

from alerts.after_run import dbt_test_failures, held_back_domains, rule_failures
from alerts.inputs import CheckFailure
from connectors import pending_years
from connectors.home import Home
from connectors.load import district_layouts
from connectors.problems import LAYOUTS_FOLDER, FileProblem, describe, file_problems
from connectors.warehouse import connect as connect_warehouse
from connectors.warehouse import marts_path
from districtwide.running import LoadRun
from orchestration.defs.dbt.backfill_sensor import backfill_range

SERVED_ASSET = ("serving", "marts")


def render(run: LoadRun, home: Home, expected: Mapping[str, str] | None = None) -> str:
    """The whole summary; `expected` maps a rule's name (`duplicate_records`) to why the caller
    expects it to fail (the demo's planted faults)."""
    failures = rule_failures(home, run.run_id) + dbt_test_failures(run.instance, run.run_id)
    sections = [
        outcome(run, failures),
        files_section(run, file_problems(home, district_layouts(home))),
        warnings_section(failures, expected or {}),
    ]
    if home.warehouse.exists():
        sections.append(warehouse_section(home.warehouse))
    sections.append(alerts_section(run))
    sections.append(backfill_section(home.warehouse))
    sections.append(where_section(run, home))
    return "\n\n".join(s for s in sections if s)


def outcome(run: LoadRun, failures: list[CheckFailure]) -> str:
    """One line: did the run finish, and were the marts published."""
    state = "succeeded" if run.success else "FAILED"
    head = f"consolidated_load run {run.run_id[:8]} {state} in {run.elapsed:.1f} s."
    blocking = sorted({f.check_name for f in failures if f.blocking})
    if published(run):
        held = held_back_domains(run.instance, run.run_id)
        if held:
            return head + (
                " The marts were published (the served copy was replaced), with the previous "
                f"data of {', '.join(sorted(held))}: blocking checks failed on its new files, "
                "which were held back."
            )
        return head + " The marts were published (the served copy was replaced)."
    if blocking:
        return (
            head + " The marts were NOT published: blocking check(s) failed: "
            f"{', '.join(blocking)}. Readers keep the previous served copy, whole."
        )
    crashed = sorted({e.step_key for e in run.result.all_events if e.is_step_failure})
    return (
        head + f" The marts were NOT published (failed step(s): {', '.join(crashed) or '?'}); "
        "readers keep the previous served copy. See the run's log in Dagster."
    )


def published(run: LoadRun) -> bool:
    return any(
        tuple(e.asset_key.path) == SERVED_ASSET
        for e in run.result.get_asset_materialization_events()
    )


def landed_files(run: LoadRun) -> tuple[list[str], list[str]]:
    """(files loaded, files skipped as unchanged) in this run, from the landing step's metadata."""
    loaded: list[str] = []
    skipped: list[str] = []
    for event in run.result.get_asset_materialization_events():
        metadata = event.step_materialization_data.materialization.metadata
        if "files_loaded" in metadata:
            loaded += metadata["files_loaded"].value
            skipped += metadata["files_skipped_already_loaded"].value
    return sorted(loaded), sorted(skipped)


def files_section(run: LoadRun, problems: list[FileProblem]) -> str:
    loaded, skipped = landed_files(run)
    aside = [p for p in problems if p.kind == "set_aside"]
    held = [p for p in problems if p.kind == "held"]
    unknown = [p for p in problems if p.kind == "unrecognized"]
    lines = [
        "Files in landing:",
        f"  loaded              {len(loaded):>5}",
        f"  skipped, unchanged  {len(skipped):>5}  (these bytes were loaded, or set aside, before)",
        f"  set aside           {len(aside):>5}",
        f"  held back           {len(held):>5}  (loaded, but a blocking check failed on them)",
        f"  unrecognized        {len(unknown):>5}",
    ]
    for problem in aside + held:
        what = "set aside" if problem.kind == "set_aside" else "held back"
        lines.append(f"  {what}{_new(problem, run)}: {describe(problem)}")
        lines.append(f"    fix: {problem.hint}")
    if aside or held:
        lines.append(
            "    (its previous good delivery stays in effect; its stewards are emailed once)"
        )
    for problem in (p for p in problems if p.kind == "warning"):
        lines.append(f"  loaded with a warning{_new(problem, run)}: {describe(problem)}")
    for problem in unknown:
        what = "refused" if problem.refused else "unrecognized"
        lines.append(f"  {what}{_new(problem, run)}: {describe(problem)}")
    if unknown:
        lines.append(
            f"    add a layout in {LAYOUTS_FOLDER} (docs/sources.md); district IT is emailed once"
        )
    return "\n".join(lines)


def _new(problem: FileProblem, run: LoadRun) -> str:
    return " (new)" if problem.seen_at >= run.started_at else " (earlier, unchanged)"


def warnings_section(failures: list[CheckFailure], expected: Mapping[str, str]) -> str:
    """Each failed check in one line: severity, check, rows, the first sentence of its meaning."""
    if not failures:
        return "Checks: every check passed."
    lines = [f"Checks that failed ({len(failures)}):"]
    for failure in failures:
        rule = failure.check_name.rsplit(":", 1)[-1].strip()
        rows = f" ({failure.unexpected_count:,} rows)" if failure.unexpected_count else ""
        kind = "BLOCKING" if failure.blocking else "warning"
        lines.append(f"  {kind} {failure.domain}: {failure.check_name}{rows}")
        lines.append(f"    {first_sentence(failure.meaning)}")
        if rule in expected:
            lines.append(f"    expected here: {expected[rule]}")
    return "\n".join(lines)


def first_sentence(text: str) -> str:
    text = " ".join((text or "").split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def warehouse_section(warehouse: Path) -> str:
    """Rows per mart, quarantine by reason, identity match rates: what a data team checks first."""
    try:
        con = connect_warehouse(warehouse)
    except duckdb.Error as exc:
        return f"Warehouse: cannot be read ({type(exc).__name__}); see the run's log in Dagster."
    try:
        tables = {
            (schema, name)
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        lines = ["Rows per mart:"]
        for schema, table in sorted(t for t in tables if t[0] == "marts"):
            n = con.execute(f'select count(*) from {schema}."{table}"').fetchone()[0]
            lines.append(f"  {table:<36}{n:>12,}")
        quarantine = [
            f"select * from quarantine.{name}"
            for name in ("quarantine_sis", "quarantine_attendance", "quarantine_assessment")
            if ("quarantine", name) in tables
        ]
        lines.append("Rows quarantined, by source and reason:")
        rows = []
        if quarantine:
            rows = con.execute(
                "select source_system, entity, reason, count(*) from ("
                + " union all ".join(quarantine)
                + ") group by all order by 1, 2, 4 desc"
            ).fetchall()
        lines += [f"  {f'{s}.{e}':<28}{n:>9,}  {r}" for s, e, r, n in rows] or ["  none"]
        if ("intermediate", "int_identity_matches") in tables:
            lines.append("Identity: source person records by outcome:")
            rows = con.execute(
                """
                select source_system, match_status, n,
                    round(100.0 * n / sum(n) over (partition by source_system), 2)
                from (select source_system, match_status, count(*) as n
                    from intermediate.int_identity_matches group by all)
                order by 1, 2
                """
            ).fetchall()
            lines += [f"  {s:<18}{m:<10}{n:>9,}  ({p}%)" for s, m, n, p in rows]
        return "\n".join(lines)
    finally:
        con.close()


def alerts_section(run: LoadRun) -> str:
    lines = []
    for report in run.alerts:
        for delivery in report.deliveries:
            where = f" → {delivery.path}" if delivery.path else ""
            subject = delivery.subject or f"{delivery.domain or delivery.kind}: {delivery.detail}"
            lines.append(f"  {delivery.status:<10} {subject}{where}")
    if not lines:
        return "Alerts: none to send."
    return "\n".join(["Alerts:", *lines])


def backfill_section(warehouse: Path) -> str:
    """The older school years waiting for a backfill (connectors/pending_years.py: a build staged
    a changed delivery of theirs, or built later years with a changed setting, crosswalk or
    model) and how they get rebuilt; '' when none waits."""
    waiting = pending_years.read(warehouse)["years"]
    if not waiting:
        return ""
    first, last = backfill_range(waiting, warehouse)
    named = ", ".join(map(str, waiting))
    return (
        f"School years waiting for a backfill: {named} (a delivery changed their staged rows, "
        "or a setting, crosswalk or model changed since they were built; their marts are as "
        "the last build of them left them). The daemon's "
        "older_years_backfill sensor rebuilds them and the years after them; from a shell: "
        f"districtwide load --years {first}-{last}"
    )


def where_section(run: LoadRun, home: Home) -> str:
    tags = run.instance.get_run_by_id(run.run_id)
    dagster = "in Dagster's UI (make dev, http://127.0.0.1:3000)"
    if tags is None or run.instance.is_ephemeral:
        dagster = "in an ephemeral Dagster instance (set DAGSTER_HOME to keep it)"
    return "\n".join(
        [
            f"Elapsed: {run.elapsed:.1f} s (run {run.run_id}, {dagster})",
            f"Served marts (read-only, for dashboards and analysts): {home.serving}",
            f"Warehouse (every layer, the build's working files): {home.warehouse}, its marts in "
            f"{marts_path(home.warehouse)} (connectors.warehouse.connect opens both). Analysts: "
            f"open the served copy above; a program holding these open makes the next load copy "
            "them first, or, holding them for writing, stops it",
        ]
    )
