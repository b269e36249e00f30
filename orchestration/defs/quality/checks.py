"""Great Expectations suites as Dagster asset checks, beside the assets they check.

All suites run in one step over one read-only connection to the warehouse (one GX context, not
one per suite). A suite with a failing *blocking* rule fails its check with ERROR severity, which
stops every asset that depends on the checked one (the served marts depend on each of them), so
yesterday's served copy stays in place. Warning rules fail with WARN severity and the load goes on.
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

from connectors.home import Home
from expectations import (
    QualitySettings,
    SuiteError,
    SuiteResult,
    SuiteSpec,
    all_suites,
    run_suite,
    run_suites,
)
from expectations.history import write_history
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
    context: AssetCheckExecutionContext, home: DistrictwideHome
) -> Iterator[AssetCheckResult]:
    """Run the selected suites in the warehouse; one check result per suite."""
    layout = home.layout()
    selected = context.selected_asset_check_keys
    suites = [s for s in all_suites(quality_settings()) if check_key(s) in selected]
    # The checks' reader shares the machine with the next load: capped like dbt's DuckDB.
    duckdb_config = {"memory_limit": home.duckdb_memory}
    run_id = context.run.run_id
    try:
        # One GX context and one connection for every suite: far cheaper than one per suite.
        results = run_suites(
            suites,
            layout.warehouse,
            run_id=run_id,
            data_docs_dir=docs_dir(layout),
            duckdb_config=duckdb_config,
        )
    except SuiteError:
        results = []
        for suite in suites:
            try:
                results.append(
                    run_suite(suite, layout.warehouse, run_id=run_id, duckdb_config=duckdb_config)
                )
            except SuiteError as exc:
                yield AssetCheckResult(
                    asset_key=AssetKey(suite.asset_key),
                    check_name=suite.name,
                    passed=False,
                    severity=AssetCheckSeverity.ERROR
                    if suite.blocking
                    else AssetCheckSeverity.WARN,
                    metadata={"suite": suite.name, "domain": suite.domain, "error": str(exc)},
                )
    by_name = {suite.name: suite for suite in suites}
    for result in results:
        yield to_check_result(result, check_key(by_name[result.suite]))
    write_history(layout.raw / "_quality", run_id, results)


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
