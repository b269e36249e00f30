"""After each consolidated load: tell each domain's stewards what failed, and IT when the run broke.

Called by the run-status sensors (when Dagster runs as a service) and directly after an
in-process run (`make demo`, tests). Failed rules come from this run's quality history
(`raw/_quality/<run_id>.parquet`: counts and rule names only), failed dbt tests from the run's
asset-check evaluations, and quarantine counts from the warehouse, by source and reason.

Delivered files that did not load are told file by file, once per file bytes
(`alerts.send_files`): a file set aside to its source's stewards, files no layout recognized to
district IT. The `file_set_aside` rule is left out of the domain emails for that reason: it fails
on every run until the file is corrected, and the domain email would repeat it every day.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb
from dagster import AssetKey, DagsterEventType, DagsterInstance

from alerts.inputs import CheckFailure
from alerts.send import AlertReport, send_alerts, send_run_failure
from alerts.send_files import send_file_alerts
from alerts.transport import transport_from_env
from connectors.home import Home
from connectors.load import district_layouts
from connectors.problems import file_problems
from expectations.suites import all_suites
from settings import DOMAINS, DistrictConfig, load_config

log = logging.getLogger(__name__)
T = TypeVar("T")
SERVED_ASSET = AssetKey(["serving", "marts"])
# dbt's statuses of a test that could not run (out of memory, a runtime error): not a failed data
# check, a crash for district IT.
ERRORED = frozenset({"error", "runtime error"})

QUALITY_STEP = "data_quality"
# Rules whose failures are told per file (alerts.send_files), not in the domain's email.
TOLD_PER_FILE = frozenset({"unexpected_rows_expectation:file_set_aside"})
CROSSWALK_MEANING = (
    "A crosswalk file in config/crosswalks/ has a malformed line or two rows with the same key "
    "(file and lines above); the load stopped before building anything on it. Fix the file."
)
MEANINGS = {(s.name, e.name): e.meaning for s in all_suites() for e in s.expectations}


def alert_after_run(
    instance: DagsterInstance, run_id: str, home: Home, config: DistrictConfig | None = None
) -> list[AlertReport]:
    """Send the stewards' emails for `run_id`, and district IT's when a step crashed.

    District IT's email goes first, and each email after it is tried whatever happened to the
    one before (a full disk, an unreadable warehouse): one failure never silences the rest.
    """
    config = config or load_config()
    state_dir = home.root / "alerts"
    transport = transport_from_env(state_dir)
    reports: list[AlertReport] = []
    crash = _guarded("the crashed step", lambda: crashed_step(instance, run_id), None)
    errored = _guarded("the dbt tests that errored", lambda: dbt_test_errors(instance, run_id), [])
    was_published = _guarded("the publication", lambda: published(instance, run_id), None)
    if crash or errored:
        step, error = crash or ("dbt build", None)
        root = root_cause(error) if error else None
        message = error_text(error) if error else f"{len(errored)} dbt test(s) could not run"
        details = [f"dbt tests that errored (not a data failure): {', '.join(errored[:10])}"]
        reports += _guarded(
            "district IT's email",
            lambda: [
                send_run_failure(
                    message,
                    config,
                    run_id,
                    state_dir=state_dir,
                    step=step,
                    error_type=root.cls_name if root else "DbtTestError",
                    job_name="consolidated_load",
                    transport=transport,
                    details=details if errored else (),
                    published=was_published,
                )
            ],
            [],
        )
    reports += _guarded(
        "the file emails",
        lambda: [
            send_file_alerts(
                file_problems(home, district_layouts(home)),
                config,
                run_id,
                state_dir=state_dir,
                transport=transport,
            )
        ],
        [],
    )
    failures = _guarded("the failed rules", lambda: rule_failures(home, run_id), [])
    failures += _guarded("the failed dbt tests", lambda: dbt_test_failures(instance, run_id), [])
    if failures or not crash:
        reports += _guarded(
            "the stewards' emails",
            lambda: [
                send_alerts(
                    failures,
                    _guarded("the quarantine counts", lambda: quarantine_counts(home), []),
                    config,
                    run_id,
                    state_dir=state_dir,
                    data_docs_path=home.data_docs / "index.html",
                    domains_checked=None if not crash else {f.domain for f in failures},
                    transport=transport,
                    held_back=_guarded(
                        "the held-back domains", lambda: held_back_domains(instance, run_id), set()
                    ),
                    published=was_published,
                    stopped_by=[f"the step {crash[0]} crashed"] if crash else [],
                    crashed=bool(crash or errored),
                )
            ],
            [],
        )
    for report in reports:
        log.info("alerts for run %s: %s", run_id, report.summary())
    return reports


def root_cause(error: object) -> object:
    """The innermost cause of a Dagster error (the OSError under Dagster's step error)."""
    while getattr(error, "cause", None) is not None:
        error = error.cause  # type: ignore[attr-defined]
    return error


def error_text(error: object) -> str:
    """A step's error as the crash email shows it: its root cause's message (Dagster's wrapper,
    "Error occurred while executing op ...", says only what the email's Step line says)."""
    root = root_cause(error)
    return str(getattr(root, "message", "") or getattr(error, "message", "")).strip()


def _guarded(what: str, read: Callable[[], T], default: T) -> T:
    """`read()`, or `default` when it fails: logged, so the alerts after it still go."""
    try:
        return read()
    except Exception:
        log.exception("alerts: %s could not be read or sent; the other alerts go on", what)
        return default


def published(instance: DagsterInstance, run_id: str) -> bool:
    """Whether run `run_id` replaced the served marts (materialized `serving/marts`)."""
    records = instance.get_records_for_run(
        run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION
    ).records
    return any(record.event_log_entry.dagster_event.asset_key == SERVED_ASSET for record in records)


def crashed_step(instance: DagsterInstance, run_id: str) -> tuple[str, object] | None:
    """The first step that failed with an exception (a failed check is not a crash)."""
    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.STEP_FAILURE).records
    for record in records:
        event = record.event_log_entry.dagster_event
        error = event.step_failure_data.error
        if event.step_key == QUALITY_STEP and "AssetCheckFailed" in (error.cls_name or ""):
            continue
        return event.step_key, error
    return None


def rule_failures(home: Home, run_id: str) -> list[CheckFailure]:
    """Failed quality rules of this run, from the quality history."""
    path = home.raw / "_quality" / f"{run_id}.parquet"
    if not path.exists():
        return []
    rows = duckdb.sql(
        "select suite, domain, asset_key, expectation, severity, observed_value, unexpected_count, "
        f"named from read_parquet('{path}', union_by_name = true) where not success "
        "order by domain, suite, expectation"
    ).fetchall()
    return [
        CheckFailure(
            domain=domain,
            check_name=f"{suite}: {rule}",
            asset=asset,
            severity=severity,
            observed=observed,
            unexpected_count=unexpected,
            meaning=_with_named(MEANINGS.get((suite, rule), ""), named),
        )
        for suite, domain, asset, rule, severity, observed, unexpected, named in rows
        if rule not in TOLD_PER_FILE
    ]


def _with_named(meaning: str, named: str | None) -> str:
    """The rule's meaning, followed by what its offending rows name (a school) when it says."""
    return f"{meaning} Named: {named}." if named else meaning


def dbt_test_failures(instance: DagsterInstance, run_id: str) -> list[CheckFailure]:
    """dbt data tests that failed in this run (their asset check evaluations)."""
    records = instance.get_records_for_run(
        run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    failures = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if evaluation.passed or "suite" in evaluation.metadata or _errored(evaluation):
            continue
        asset = evaluation.asset_key.to_user_string()
        crosswalk = evaluation.metadata.get("crosswalk")
        failures.append(
            CheckFailure(
                # A crosswalk file's check names the source whose steward answers for the file.
                domain=evaluation.metadata["domain"].value
                if crosswalk
                else domain_of(evaluation.asset_key.path),
                check_name=evaluation.check_name,
                asset=asset,
                severity="blocking" if evaluation.severity.value == "ERROR" else "warning",
                observed=evaluation.description if crosswalk else None,
                unexpected_count=None,
                meaning=CROSSWALK_MEANING
                if crosswalk
                else "A dbt test on this model failed; see the run in Dagster.",
            )
        )
    return failures


def dbt_test_errors(instance: DagsterInstance, run_id: str) -> list[str]:
    """dbt tests of this run that could not run (status error: out of memory, a runtime error):
    their check names, for district IT. They say nothing about the data."""
    records = instance.get_records_for_run(
        run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    return sorted(
        {
            record.event_log_entry.dagster_event.event_specific_data.check_name
            for record in records
            if _errored(record.event_log_entry.dagster_event.event_specific_data)
        }
    )


def _errored(evaluation: object) -> bool:
    status = evaluation.metadata.get("status")  # type: ignore[attr-defined]
    return (
        not evaluation.passed  # type: ignore[attr-defined]
        and status is not None
        and str(status.value).lower() in ERRORED
    )


def held_back_domains(instance: DagsterInstance, run_id: str) -> set[str]:
    """Domains whose new files this run held back (their checks' `held_back` metadata)."""
    records = instance.get_records_for_run(
        run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    domains = set()
    for record in records:
        metadata = record.event_log_entry.dagster_event.event_specific_data.metadata
        if "held_back" in metadata and "domain" in metadata:
            domains.add(str(metadata["domain"].value))
    return domains


def domain_of(path: list[str]) -> str:
    """The source a model belongs to by name (`stg_sis__users` → sis); marts go to the SIS."""
    name = f"_{path[-1]}_"
    for source in DOMAINS:
        if f"_{source}_" in name:
            return source
    return "sis"


def quarantine_counts(home: Home) -> list[tuple[str, str, int]]:
    """(domain, reason, rows) now in quarantine: the latest load of every file."""
    if not Path(home.warehouse).exists():
        return []
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        tables = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'quarantine' and table_name like 'quarantine_%'"
            ).fetchall()
        }
        return [
            (source, reason, n)
            for source in DOMAINS
            if f"quarantine_{source}" in tables
            for reason, n in con.execute(
                f"select reason, count(*) from quarantine.quarantine_{source} "
                "group by 1 order by 2 desc"
            ).fetchall()
        ]
    finally:
        con.close()
