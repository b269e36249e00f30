"""The delivery rules every source shares, checked on the landing audit (audit.file_loads)."""

from __future__ import annotations

from expectations import rules
from expectations.settings import QualitySettings
from expectations.spec import ExpectationSpec, SuiteSpec


def file_loads_suite(source: str, settings: QualitySettings) -> SuiteSpec:
    """Deliveries of one source: no half-empty file, no file set aside, and (daily sources) no
    stale source."""
    checks = [rules.rows_dropped(source, settings.max_row_drop_share), rules.file_set_aside(source)]
    if source in settings.daily_sources:
        checks.append(
            rules.stale_source(
                source, settings.freshness_calendar_days, settings.freshness_school_days
            )
        )
    return SuiteSpec(
        name=f"{source}_file_loads",
        domain=source,  # type: ignore[arg-type]
        asset_key=["audit", "file_loads"],
        table="audit.file_loads",
        description=f"Deliveries of the {source} source (the landing audit).",
        expectations=checks,
    )


def superseded_by_a_newer_delivery(source: str, meaning: str) -> ExpectationSpec:
    """A warning when rows of an earlier file were replaced by a newer delivery of their natural
    key (a corrected file sent under another name): said when the replacing file arrives
    (within a day), not every night after."""
    return rules.sql_rule(
        "superseded_by_a_newer_delivery",
        f"select q.line_number from {rules.BATCH} as q "
        "where q.reason = 'superseded by a newer delivery' "
        f"and {rules.latest_loads_filter('q')} "
        "and exists (select 1 from audit.file_loads as l where l.status = 'loaded' "
        f"and l.source = '{source}' and l.load_id > q.load_id "
        "and l.loaded_at > cast(current_timestamp as timestamp) - interval '1 day')",
        meaning,
        blocking=False,
    )
