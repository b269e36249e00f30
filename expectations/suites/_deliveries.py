"""The delivery rules every source shares, checked on the landing audit (audit.file_loads)."""

from __future__ import annotations

from expectations import rules
from expectations.settings import QualitySettings
from expectations.spec import SuiteSpec


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
