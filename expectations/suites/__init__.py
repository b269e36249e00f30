"""Every quality suite: one module per source (sis, attendance, assessment) and one per mart area.

`all_suites()` builds them from a district's `QualitySettings`; each module's `SUITES` holds its
suites with the default thresholds.
"""

from __future__ import annotations

from expectations.settings import QualitySettings
from expectations.spec import SuiteSpec
from expectations.suites import (
    assessment,
    attendance,
    marts_assessment,
    marts_attendance,
    marts_enrollment,
    marts_inquiry,
    sis,
)

MODULES = (
    sis,
    attendance,
    assessment,
    marts_enrollment,
    marts_attendance,
    marts_assessment,
    marts_inquiry,
)


def all_suites(settings: QualitySettings | None = None) -> list[SuiteSpec]:
    """Every suite, built with `settings` (defaults when None); names are unique."""
    settings = settings or QualitySettings()
    suites = [suite for module in MODULES for suite in module.build_suites(settings)]
    names = [s.name for s in suites]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"suite names used twice: {repeated}")
    return suites


def suite_named(name: str, settings: QualitySettings | None = None) -> SuiteSpec:
    for suite in all_suites(settings):
        if suite.name == name:
            return suite
    raise KeyError(f"no suite named {name!r}")
