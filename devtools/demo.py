"""`make demo` (`districtwide demo`): a synthetic district in the landing folders, one
consolidated load, a summary.

Rerunning is safe: files already in the landing folders are kept, and files already loaded
(same sha256) are skipped, so a second run only rebuilds the models.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from dagster import DagsterInstance, ExecuteInProcessResult

from alerts.after_run import alert_after_run
from connectors.delivery import landing_files
from connectors.home import REPO_ROOT, Home
from connectors.warehouse import connect as connect_warehouse
from connectors.warehouse import marts_path
from settings import ensure_district_config

log = logging.getLogger("districtwide.demo")


def landing_is_empty(home: Home) -> bool:
    return not landing_files(home.landing)


def generate_district(home: Home, students: int, seed: int) -> None:
    """Write a synthetic district's exports into `home/landing` and its truth into `home/truth`."""
    cmd = [sys.executable, "-m", "synthetic", "--students", str(students)]
    cmd += ["--seed", str(seed), "--out", str(home.root)]
    # `synthetic` is not installed with the product: it runs from the repository checkout.
    subprocess.run(cmd, check=True, cwd=REPO_ROOT)


def restore_school_crosswalk(home: Home) -> None:
    """A demo folder generated before the crosswalks moved to config/ has no school crosswalk:
    write its attendance codes from the generator's truth, as the generator now does."""
    target = home.root / "config" / "crosswalks" / "school_crosswalk.csv"
    truth = home.root / "truth" / "counts.json"
    if target.exists() or not truth.is_file():
        return
    schools = json.loads(truth.read_text(encoding="utf-8")).get("schools", [])
    lines = ["source_system,vendor_school,school_sourced_id,note"]
    lines += [
        f"attendance,{s['att_code']},{s['sourced_id']},attendance system school code"
        for s in schools
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log.info("wrote %s from the generated district's truth", target)


def dagster_instance() -> DagsterInstance:
    """The instance under `$DAGSTER_HOME` (so runs show in `make dev`), else an ephemeral one."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return DagsterInstance.ephemeral()
    Path(home).mkdir(parents=True, exist_ok=True)
    return DagsterInstance.get()


def run_consolidated_load(
    instance: DagsterInstance | None = None,
    log_level: str = "WARNING",
    asset_selection: list | None = None,
) -> ExecuteInProcessResult:
    """Run the `consolidated_load` job (or a subset) in this process, in the Dagster instance."""
    from orchestration.definitions import defs

    job = defs().resolve_job_def("consolidated_load")
    instance = instance or dagster_instance()
    return job.execute_in_process(
        instance=instance,
        asset_selection=asset_selection,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
    )


def failed_checks(result: ExecuteInProcessResult) -> list[str]:
    """One line per failed asset check of the run: which, on what, blocking or warning."""
    lines = []
    for event in result.all_events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        evaluation = event.event_specific_data
        if not evaluation.passed:
            kind = "blocking" if evaluation.severity.value == "ERROR" else "warning"
            asset = evaluation.asset_key.to_user_string()
            lines.append(f"Check failed ({kind}): {evaluation.check_name} on {asset}")
    return lines


def summary(warehouse: Path) -> str:
    """Rows per mart, quarantine by reason, identity match rates: what a data team checks first."""
    con = connect_warehouse(warehouse)
    try:
        lines = ["Rows per mart:"]
        marts = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by table_name"
        ).fetchall()
        for (table,) in marts:
            n = con.execute(f'select count(*) from marts."{table}"').fetchone()[0]
            lines.append(f"  {table:<28}{n:>12,}")
        lines.append("Rows quarantined, by source and reason:")
        rows = con.execute(
            """
            select source_system, entity, reason, count(*) from (
                select * from quarantine.quarantine_sis
                union all select * from quarantine.quarantine_attendance
                union all select * from quarantine.quarantine_assessment)
            group by all order by 1, 2, 4 desc
            """
        ).fetchall()
        lines += [f"  {s}.{e:<16}{n:>9,}  {r}" for s, e, r, n in rows] or ["  none"]
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


def main(students: int = 5000, seed: int = 2026) -> int:
    """Generate (when the landing folders are empty), load, alert and summarise; the exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)
    named = os.environ.get("DISTRICTWIDE_HOME")
    if not named:
        # dbt and the Dagster resources read the data folder from the environment.
        log.error("DISTRICTWIDE_HOME is not set: run `make demo`, or export it first")
        return 2
    home = Home(Path(named).resolve()).ensure()
    ensure_district_config(home.root)
    if landing_is_empty(home):
        log.info("Generating a %s-student district into %s", f"{students:,}", home.landing)
        generate_district(home, students, seed)
    else:
        log.info("Files already in %s: loading them as they are", home.landing)
        restore_school_crosswalk(home)
    instance = dagster_instance()
    started = time.perf_counter()
    result = run_consolidated_load(instance)
    elapsed = time.perf_counter() - started
    reports = alert_after_run(instance, result.run_id, home)
    for line in failed_checks(result):
        print(line)
    for report in reports:
        print(f"Steward alerts: {report.summary()}")
    if not result.success:
        failed = sorted({e.step_key for e in result.all_events if e.is_step_failure})
        log.error("consolidated_load failed in %s after %.1f s", failed, elapsed)
        return 1
    print(summary(home.warehouse))
    print(f"consolidated_load: {elapsed:.1f} s")
    print(f"Served marts (read-only, for dashboards and analysts): {home.serving}")
    print(
        f"Warehouse (every layer, for the data team): {home.warehouse}, its marts in "
        f"{marts_path(home.warehouse)} (connectors.warehouse.connect opens both)"
    )
    print("Dagster UI: make dev, then open http://127.0.0.1:3000")
    return 0
