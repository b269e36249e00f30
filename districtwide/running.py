"""One consolidated load in this process: the job the nightly schedule runs, in the Dagster instance
of `$DAGSTER_HOME` (so the run shows in the UI beside the scheduled ones), then the alerts it calls
for. Shared by `districtwide load` and `make demo`; the summary is `districtwide.summary`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from dagster import DagsterInstance, ExecuteInProcessResult

from alerts import AlertReport
from connectors.home import Home

JOB = "consolidated_load"


@dataclass
class LoadRun:
    """A finished in-process load: Dagster's result, when it started, how long it took, and the
    alerts sent after it."""

    result: ExecuteInProcessResult
    instance: DagsterInstance
    started_at: datetime  # naive UTC, as the landing audit's `loaded_at`
    elapsed: float
    alerts: list[AlertReport] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return self.result.run_id

    @property
    def success(self) -> bool:
        return self.result.success


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
    years: Sequence[int] | None = None,
) -> ExecuteInProcessResult:
    """Run the `consolidated_load` job (or a subset) in this process, in the Dagster instance:
    every school year, or only `years` (consecutive school years: one run of their partition
    range, as a single-run backfill launched from the UI is). The data folder is
    `$DISTRICTWIDE_HOME`, as for the job's resources."""
    from orchestration.definitions import defs
    from orchestration.defs.dbt.school_years import run_tags

    job = defs().resolve_job_def(JOB)
    instance = instance or dagster_instance()
    home = Home(Path(os.environ["DISTRICTWIDE_HOME"]).resolve())
    return job.execute_in_process(
        instance=instance,
        asset_selection=asset_selection,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        tags=run_tags(instance, home, years),
    )


def load_and_alert(
    home: Home, instance: DagsterInstance | None = None, years: Sequence[int] | None = None
) -> LoadRun:
    """One consolidated load of what waits in `home`'s landing folder (every school year, or
    only `years`), then its alerts (the stewards', district IT's), as the run-status sensors
    would send them."""
    from alerts.after_run import alert_after_run

    instance = instance or dagster_instance()
    started_at = datetime.now(UTC).replace(tzinfo=None)
    clock = time.perf_counter()
    try:
        result = run_consolidated_load(instance, years=years)
    except Exception as error:
        # Dagster itself failed (its run storage on a full disk, say): no run to read the
        # failure from, so district IT is told here, before the error ends the command.
        _tell_district_it(home, error)
        raise
    elapsed = time.perf_counter() - clock
    reports = alert_after_run(instance, result.run_id, home)
    return LoadRun(result, instance, started_at, elapsed, reports)


def _tell_district_it(home: Home, error: Exception) -> None:
    """District IT's crash email for a load that failed outside its steps; never raises."""
    from alerts.send import send_run_failure
    from settings import load_config

    try:
        send_run_failure(
            error,
            load_config(),
            f"no-run-{datetime.now(UTC):%Y%m%dT%H%M%S}",
            state_dir=home.root / "alerts",
            job_name=JOB,
            step="dagster (before or between steps)",
        )
    except Exception:
        logging.getLogger(__name__).exception("the crash email to district IT could not be sent")
