"""Great Expectations suites as Dagster asset checks, beside the assets they check.

All suites run in one step over one read-only connection to the warehouse (one GX context, not
one per suite). A suite with a failing *blocking* rule fails its check with ERROR severity, which
stops every asset that depends on the checked one (the served marts depend on each of them), so
yesterday's served copy stays in place; unless the failures are one source's own, whose new files
are then held back and the build redone without them (`holdback`). Warning rules fail with WARN
severity and the load goes on.
Each rule's outcome is also kept in the quality history (`raw/_quality/`, `audit.quality_results`).
"""

import logging
from collections.abc import Iterator
from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from connectors import increments
from connectors.holds import release
from connectors.home import Home
from expectations import (
    QualitySettings,
    SuiteError,
    SuiteResult,
    SuiteSpec,
    all_suites,
    kept,
    run_suite,
    run_suites,
)
from expectations.history import write_history
from orchestration.defs.dbt.project import DBT_PROJECT
from orchestration.defs.dbt.runner import DistrictwideDbt
from orchestration.defs.quality.holdback import hold_back, rebuild
from orchestration.resources import DistrictwideHome
from settings import ConfigError, load_config

log = logging.getLogger(__name__)


def quality_settings() -> QualitySettings:
    """The district's thresholds (config `quality:`), defaults when the config is unreadable."""
    try:
        return load_config().quality
    except ConfigError as exc:
        log.warning("district config unreadable (%s): default quality settings", exc)
        return QualitySettings()


# The suites as declared (names, assets, blocking): the checks' specs. Their thresholds are the
# district's, read when the checks run (`quality_settings`), not when the code is loaded.
SUITES: list[SuiteSpec] = all_suites()


def check_key(suite: SuiteSpec) -> AssetCheckKey:
    return AssetCheckKey(AssetKey(suite.asset_key), suite.name)


CHECKED_ASSETS: list[AssetKey] = sorted(
    {AssetKey(suite.asset_key) for suite in SUITES}, key=lambda key: key.to_user_string()
)


@multi_asset_check(
    name="data_quality",
    specs=[
        AssetCheckSpec(
            name=suite.name,
            asset=AssetKey(suite.asset_key),
            blocking=suite.blocking,
            description=f"[{suite.domain}] {suite.description}",
        )
        for suite in SUITES
    ],
    can_subset=True,
)
def data_quality(
    context: AssetCheckExecutionContext, home: DistrictwideHome, dbt: DistrictwideDbt
) -> Iterator[AssetCheckResult]:
    """Run the selected suites in the warehouse; one check result per suite.

    When the blocking failures are all one source's own (`holdback`), that source's new files
    are held back, dbt builds again without them and the suites run again: the held suites are
    reported as warnings saying so, and the marts publish with that source's previous data.
    """
    layout = home.layout()
    selected = context.selected_asset_check_keys
    suites = [s for s in all_suites(quality_settings()) if check_key(s) in selected]
    by_name = {suite.name: suite for suite in suites}
    # The checks' reader shares the machine with the next load: capped like dbt's DuckDB.
    duckdb_config = home.duckdb_config()
    run_id = context.run.run_id
    # After a merge, the suites whose tables it left as they were keep their last result (a
    # full build leaves none to keep: no need to read the manifest then).
    carried = (
        kept.carried(
            layout.warehouse,
            suites,
            increments.views_over_sources(DBT_PROJECT.manifest_path),
            run_id,
        )
        if kept.kept_path(layout.warehouse).exists()
        else {}
    )
    if carried:
        context.log.info(
            f"{len(carried)} of {len(suites)} suites kept their last result: "
            "no table they read changed since"
        )
    to_run = [suite for suite in suites if suite.name not in carried]
    ran, errors = validate(to_run, layout, run_id, duckdb_config) if to_run else ([], [])
    kept.keep(layout.warehouse, to_run, ran)
    results = sorted([*ran, *carried.values()], key=lambda r: list(by_name).index(r.suite))
    write_history(layout.raw / "_quality", run_id, results)
    held = hold_back(layout, results, by_name) if not errors else []
    if held:
        second, second_errors = [], []
        # The rebuild rewrites every table: every suite runs again.
        kept.forget(layout.warehouse)
        if rebuild(dbt, layout):
            second, second_errors = validate(suites, layout, run_id, duckdb_config)
            if not second_errors:
                kept.keep(layout.warehouse, suites, second)
        if second and not second_errors and not any(result.blocked for result in second):
            first = {result.suite: result for result in results if result.blocked}
            files = [load.source_path for load in held]
            for result in second:
                key = check_key(by_name[result.suite])
                if result.suite in first:
                    yield held_back_result(first[result.suite], key, files)
                else:
                    yield to_check_result(result, key)
            return
        # Holding back did not clear the failures: the whole publication waits, as before.
        log.warning("holding back %d file(s) did not clear the blocking checks", len(held))
        release(layout, held)
    for result in results:
        yield to_check_result(result, check_key(by_name[result.suite]))
    yield from errors


def validate(
    suites: list[SuiteSpec], layout: Home, run_id: str, duckdb_config: dict[str, str]
) -> tuple[list[SuiteResult], list[AssetCheckResult]]:
    """Every suite's result, over one GX context; a suite GX cannot run is a failed check."""
    try:
        # One GX context and one connection for every suite: far cheaper than one per suite.
        return (
            run_suites(
                suites,
                layout.warehouse,
                run_id=run_id,
                data_docs_dir=docs_dir(layout),
                duckdb_config=duckdb_config,
                # The publication does not wait for the pages (expectations/docs.py).
                docs_in_background=True,
            ),
            [],
        )
    except SuiteError:
        pass
    results, errors = [], []
    for suite in suites:
        try:
            results.append(
                run_suite(suite, layout.warehouse, run_id=run_id, duckdb_config=duckdb_config)
            )
        except SuiteError as exc:
            errors.append(
                AssetCheckResult(
                    asset_key=AssetKey(suite.asset_key),
                    check_name=suite.name,
                    passed=False,
                    severity=severity(suite.blocking),
                    metadata={"suite": suite.name, "domain": suite.domain, "error": str(exc)},
                )
            )
    return results, errors


def held_back_result(first: SuiteResult, key: AssetCheckKey, files: list[str]) -> AssetCheckResult:
    """A suite that blocked on its source's new files, now held back: a warning that says so."""
    metadata = first.to_metadata()
    metadata["held_back"] = MetadataValue.json(files)
    return AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=False,
        severity=AssetCheckSeverity.WARN,
        description="Blocking rules failed on this source's new files: they were held back, "
        "and the marts were built with its previous data.",
        metadata=metadata,
    )


def to_check_result(result: SuiteResult, key: AssetCheckKey) -> AssetCheckResult:
    metadata = result.to_metadata()
    if result.data_docs_index:
        metadata["data_docs"] = MetadataValue.path(str(result.data_docs_index))
    return AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=result.success,
        severity=severity(result.blocked),
        metadata=metadata,
    )


def severity(blocking: bool) -> AssetCheckSeverity:
    return AssetCheckSeverity.ERROR if blocking else AssetCheckSeverity.WARN


def docs_dir(layout: Home) -> Path:
    """Where GX Data Docs are rendered (linked from the stewards' emails)."""
    return layout.data_docs
