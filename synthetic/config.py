"""What one run of the generator is asked for, and the fixed identity of the synthetic district.

Kept apart from the modules that build things so every module reads the same settings and draws
its random numbers from its own named stream: changing the draws of one module never shifts
another's, and a seed always gives the same bytes.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from synthetic.faults import FaultRates

#: The state's 4-digit district code (orgs.csv `identifier`, state file `DistrictCode`).
DISTRICT_CODE = "0350"
DISTRICT_NAME = "Maple Valley Public Schools"
DISTRICT_SOURCED_ID = "D001"
DISTRICT_STATE = "MA"
EMAIL_DOMAIN = "maplevalley.k12.ma.us"

#: The export layouts the generator can write, per source (the first is the default).
SIS_LAYOUTS = ("oneroster-1.1", "oneroster-1.2")
ATTENDANCE_LAYOUTS = ("districtwide", "powerschool", "edfi")
STATE_LAYOUTS = ("districtwide", "mcas", "caaspp", "cmas", "ilearn", "fast", "mca", "staar")
BENCHMARK_LAYOUTS = ("map-combined", "map-cdf", "iready", "star")
#: MAP Growth is part of every district: exactly one of its layouts is chosen.
MAP_LAYOUTS = ("map-combined", "map-cdf")

#: Grade levels as integers: 0 = kindergarten … 12.
GRADES = tuple(range(13))
#: School levels: (name, lowest grade, highest grade, students per school).
LEVELS = (("elementary", 0, 5, 450), ("middle", 6, 8, 700), ("high", 9, 12, 1200))


@dataclass(frozen=True)
class GeneratorConfig:
    """One run: how many students, which years, where to write, which faults at what rates."""

    n_students: int
    seed: int
    out_dir: Path
    years: int = 1
    end_year: int = 2026
    rates: FaultRates = field(default_factory=FaultRates)
    #: Which vendor's layout each source is written in (the same district whichever is chosen).
    sis: str = SIS_LAYOUTS[0]
    attendance: str = ATTENDANCE_LAYOUTS[0]
    state: str = STATE_LAYOUTS[0]
    benchmarks: tuple[str, ...] = BENCHMARK_LAYOUTS[:1]

    def __post_init__(self) -> None:
        for name, value, known in (
            ("sis", self.sis, SIS_LAYOUTS),
            ("attendance", self.attendance, ATTENDANCE_LAYOUTS),
            ("state", self.state, STATE_LAYOUTS),
        ):
            if value not in known:
                raise ValueError(f"{name} layout {value!r} is not one of {', '.join(known)}")
        unknown = [b for b in self.benchmarks if b not in BENCHMARK_LAYOUTS]
        if unknown or len(set(self.benchmarks)) != len(self.benchmarks):
            raise ValueError(
                f"benchmark layouts {', '.join(self.benchmarks)!r}: each must be one of "
                f"{', '.join(BENCHMARK_LAYOUTS)}, at most once"
            )
        if sum(b in MAP_LAYOUTS for b in self.benchmarks) != 1:
            raise ValueError(f"benchmark layouts must name exactly one of {', '.join(MAP_LAYOUTS)}")
        if self.n_students < 50:
            raise ValueError("n_students must be at least 50")
        if self.years < 1:
            raise ValueError("years must be at least 1")
        if self.seed < 0:
            raise ValueError("seed must be non-negative")

    @property
    def school_years(self) -> list[int]:
        """School years by their ending year, oldest first."""
        return list(range(self.end_year - self.years + 1, self.end_year + 1))

    def stream(self, name: str) -> np.random.Generator:
        """An independent random stream for one named purpose."""
        return np.random.default_rng(np.random.SeedSequence([self.seed, zlib.crc32(name.encode())]))
