"""The thresholds of the quality rules, in one place a district can override from its config.

Each suite module builds its suites from a `QualitySettings`; its module-level `SUITES` use the
defaults. Thresholds are counts or shares a data steward can reason about, never hidden constants.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class QualitySettings:
    """Thresholds of the quality rules (defaults suit a district of a few thousand students)."""

    #: Quarantined rows of one "unmapped ..." reason allowed in the latest load of a file.
    max_unmapped_code_rows: int = 0
    #: Smallest cell an aggregate mart may show (keep equal to dbt's var min_cell_size).
    min_cell_size: int = 10
    #: SIS rows set aside as duplicates (copies, or one sourcedId with two records) per load.
    max_duplicate_sis_rows: int = 0
    #: Attendance exception rows allowed outside the school year or on a non-instructional day.
    max_off_calendar_attendance_rows: int = 0
    #: The state test's reported scale (every achievement level lies inside it).
    state_scale_score_min: int = 440
    state_scale_score_max: int = 560
    #: MAP percentiles are reported 1..99.
    map_percentile_min: int = 1
    map_percentile_max: int = 99
    #: A file whose row count fell by more than this share since its previous load is suspect.
    max_row_drop_share: float = 0.20
    #: Share of a source system's people not matched to a SIS student (review + unmatched).
    max_unmatched_identity_share: float = 0.02
    #: A daily source not delivered for this many school days is stale.
    freshness_school_days: int = 5
    #: Sources expected every school day (assessment files arrive a few times a year).
    daily_sources: tuple[str, ...] = ("sis", "attendance")

    def __post_init__(self) -> None:
        for name in ("max_row_drop_share", "max_unmatched_identity_share"):
            share = getattr(self, name)
            if not 0 <= share <= 1:
                raise ValueError(f"{name} must be a share between 0 and 1, not {share}")
        for name in (
            "max_unmapped_code_rows",
            "max_off_calendar_attendance_rows",
            "max_duplicate_sis_rows",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")
        if self.freshness_school_days < 1:
            raise ValueError("freshness_school_days must be >= 1")

    @property
    def freshness_calendar_days(self) -> int:
        """School days as calendar days (5 school days ~ one week): 5 -> 7, 10 -> 14."""
        return math.ceil(self.freshness_school_days * 7 / 5)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> QualitySettings:
        """Settings from a config file's `quality:` section; unknown keys are an error."""
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown quality settings: {unknown}; known: {sorted(known)}")
        if "daily_sources" in values:
            values["daily_sources"] = tuple(values["daily_sources"])
        return cls(**values)
