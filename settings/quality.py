"""The thresholds of the quality rules, in one place a district can override from its config.

Each suite module of `expectations.suites` builds its suites from a `QualitySettings`; its
module-level `SUITES` use the defaults. Thresholds are counts or shares a data steward can reason
about, never hidden constants. `min_cell_size` is a metric setting (`settings.metrics`): the
district config sets it once, under `metrics:`, and it reaches dbt and these checks alike.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from settings.domains import Domain


class QualitySettings(BaseModel):
    """Thresholds of the quality rules (defaults suit a district of a few thousand students)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Quarantined rows of one "unmapped ..." reason allowed in the latest load of a file.
    max_unmapped_code_rows: int = Field(0, ge=0)
    #: Smallest cell an aggregate mart may show (the district's `metrics.min_cell_size`).
    min_cell_size: int = Field(10, ge=1)
    #: SIS rows set aside as duplicates (copies, or one sourcedId with two records) per load.
    max_duplicate_sis_rows: int = Field(0, ge=0)
    #: Attendance exception rows allowed outside the school year or on a non-instructional day.
    max_off_calendar_attendance_rows: int = Field(0, ge=0)
    #: The state test's reported scale (every achievement level lies inside it).
    state_scale_score_min: int = 440
    state_scale_score_max: int = 560
    #: MAP percentiles are reported 1..99.
    map_percentile_min: int = 1
    map_percentile_max: int = 99
    #: A birth date before January 1 of this year (or after today) is implausible: a warning to
    #: the source's stewards (1900-01-01 and 2099-12-31 are common placeholders).
    min_birth_year: int = Field(1990, ge=1900)
    #: A file whose row count fell by more than this share since its previous load is suspect.
    max_row_drop_share: float = 0.20
    #: Share of a source system's people not matched to a SIS student (review + unmatched).
    max_unmatched_identity_share: float = 0.02
    #: Share of linked attendance exception rows dated outside every enrollment span of the
    #: student at that school ("not enrolled at that school on that date"): above it, spans are
    #: missing (a roster without homerooms or school enrollments) rather than a few late entries.
    max_attendance_outside_span_share: float = 0.02
    #: A daily source not delivered for this many school days is stale.
    freshness_school_days: int = Field(5, ge=1)
    #: Sources expected every school day (assessment files arrive a few times a year).
    daily_sources: tuple[Domain, ...] = ("sis", "attendance")

    @field_validator(
        "max_row_drop_share", "max_unmatched_identity_share", "max_attendance_outside_span_share"
    )
    @classmethod
    def _share(cls, value: float, info: Any) -> float:
        if not 0 <= value <= 1:
            raise ValueError(f"{info.field_name} must be a share between 0 and 1, not {value}")
        return value

    @property
    def freshness_calendar_days(self) -> int:
        """School days as calendar days (5 school days ~ one week): 5 -> 7, 10 -> 14."""
        return math.ceil(self.freshness_school_days * 7 / 5)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> QualitySettings:
        """Settings from a config file's `quality:` section; unknown keys are an error."""
        values = dict(values or {})
        unknown = sorted(set(values) - set(cls.model_fields))
        if unknown:
            raise ValueError(
                f"unknown quality settings: {unknown}; known: {sorted(cls.model_fields)}"
            )
        return cls(**values)
