"""The metric settings of the marts: chronic absence, small-cell suppression, early warning,
enrollment gaps.

They are district settings, not constants (docs/architecture.md, Metrics): some states count
chronic absence from 20 enrolled days, some suppress cells under 5. The district config sets them
under `metrics:`; they reach dbt as `--vars` (`dbt_vars`) and the quality checks through
`QualitySettings.min_cell_size`. dbt_project.yml keeps the same defaults for a bare `dbt parse`;
tests/unit/test_settings.py pins the two together.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class MetricSettings(BaseModel):
    """The dbt vars of the marts, validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: The first school year (ending year) districtwide reports; earlier rows are out of scope.
    first_school_year: int = Field(2020, gt=1900, lt=2200)
    #: Chronic absence: absent on at least this share of the days enrolled in the school year,
    chronic_absence_threshold: float = Field(0.10, gt=0, le=1)
    #: counted for students enrolled at least this many days (some states: 20).
    chronic_absence_min_days: int = Field(10, ge=1)
    #: Small-cell suppression in aggregate marts: a cell of fewer students than this is not shown.
    min_cell_size: int = Field(10, ge=1)
    #: Early warning: a latest MAP percentile this many points below the year's first raises the
    #: falling_benchmark_percentile flag.
    benchmark_percentile_drop: int = Field(10, ge=1, le=99)
    #: Enrollment spans from class enrollments (a school without homerooms or school enrollment
    #: records): a student in no class at a school for more than this many of its instructional
    #: days has withdrawn; a shorter gap (a schedule change) does not end the span.
    enrollment_gap_school_days: int = Field(10, ge=0)

    def dbt_vars(self) -> dict[str, Any]:
        """The vars for `dbt build --vars` (names as dbt_project.yml declares them)."""
        return self.model_dump()
