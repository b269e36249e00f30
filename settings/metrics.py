"""The metric settings of the marts: chronic absence, small-cell suppression, early warning,
which program spans put a student in a program subgroup.

They are district settings, not constants (docs/architecture.md, Metrics): some states count
chronic absence from 20 enrolled days, some suppress cells under 5. The district config sets them
under `metrics:`; they reach dbt as `--vars` (`dbt_vars`) and the quality checks through
`QualitySettings.min_cell_size`. dbt_project.yml keeps the same defaults for a bare `dbt parse`;
tests/unit/test_settings.py pins the two together.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


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
    #: Program subgroups (English learner, disability, low income): `any_day` counts a student in
    #: a program open on any day of the school year (most federal reporting does); `as_of` only in
    #: one open on `program_subgroup_as_of` of each school year.
    program_subgroup_rule: Literal["any_day", "as_of"] = "any_day"
    #: With `as_of`: 'MM-DD' (the first such date on or after the year's first day, e.g. '10-01'
    #: for an October 1 count) or 'last_day' (the school year's last day).
    program_subgroup_as_of: str = "last_day"

    @field_validator("program_subgroup_as_of")
    @classmethod
    def _month_day(cls, value: str) -> str:
        value = value.strip()
        if value == "last_day":
            return value
        match = _MONTH_DAY.match(value)
        try:
            if not match or match.group(0) == "02-29":
                raise ValueError
            date(2001, int(match.group(1)), int(match.group(2)))
        except ValueError:
            raise ValueError(
                f"{value!r} is not 'last_day' or a month and day 'MM-DD' such as '10-01' "
                "(not 02-29: it is missing in most years)"
            ) from None
        return value

    @model_validator(mode="after")
    def _as_of_needs_rule(self) -> MetricSettings:
        if self.program_subgroup_rule == "any_day" and self.program_subgroup_as_of != "last_day":
            raise ValueError(
                "program_subgroup_as_of is used only with program_subgroup_rule: as_of"
            )
        return self

    def dbt_vars(self) -> dict[str, Any]:
        """The vars for `dbt build --vars` (names as dbt_project.yml declares them)."""
        return self.model_dump()
