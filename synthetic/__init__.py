"""A synthetic school district: the legacy exports of docs/districtwide_layouts.md and their
ground truth.

`generate` builds a district in memory (people, schools, calendars, enrollment spans, sections,
attendance, tests), draws the faults real files hold at known rates, plants the identity traps
of docs/architecture.md, and writes `landing/sis/`, `landing/attendance/`, `landing/assessment/` and
`truth/` under the output folder. Same seed and settings, same bytes.

    python -m synthetic --students 5000 --seed 1 --out data

Each source can be written in a real vendor's or state's layout instead of districtwide's own
(`--attendance powerschool`, `--state mcas`, `--sis oneroster-1.2`, `--benchmark map-cdf`, ...;
`attendance_layouts`, `state_layouts`, `oneroster12`, `map_layouts`): the district and its truth
are the same, only the files' form differs. `--benchmark iready,star` adds those benchmark tests
(`iready`, `star`, `benchmark_plan`) and their truth.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

from synthetic import (
    assessment,
    attendance,
    attendance_layouts,
    id_traps,
    iready,
    map_layouts,
    sis,
    staar,
    star,
    state_layouts,
    truth,
)
from synthetic.config import GeneratorConfig
from synthetic.district import simulate
from synthetic.faults import FaultRates
from synthetic.people import IN_SIS

__all__ = ["FaultRates", "GeneratorConfig", "Summary", "generate"]

log = logging.getLogger(__name__)

#: Bounds DuckDB's memory (100,000 students peak near 1.2 GB in all; more spills to disk).
DUCKDB_MEMORY_LIMIT = "1GB"
#: Past IN_MEMORY_STUDENTS: sorting a million students' 25 million truth records went out of
#: memory at 1 GB even with spilling.
LARGE_DUCKDB_MEMORY_LIMIT = "4GB"

#: Files a previous run may have left in each folder (removed before writing).
_OWNED = {
    "landing/sis": [*sis.COLUMNS, "roles.csv", "userProfiles.csv"],
    "landing/attendance": [
        attendance.STUDENTS_FILE,
        "attendance_exceptions_*.csv",
        attendance_layouts.PS_STUDENTS_FILE,
        "attendance_*.export.text",
        "studentSchoolAttendanceEvents_*.csv",
    ],
    "landing/assessment": [
        assessment.MAP_FILE,
        map_layouts.STUDENTS_FILE,
        map_layouts.CLASSES_FILE,
        "diagnostic_results_*_CONFIDENTIAL.csv",
        *(p[1] for p in star.PRODUCTS.values()),
        "state_assessment_*.csv",
        "MCAS*_spring_official_*.csv",
        "*_CAASPP_Student_Score_Data_File_TestedStudentScoreData_*.csv",
        "co_csa_cmas*_Math_ELA_District_Student_Data_File.csv",
        "*_StudentData_ILEARN_Spring_*.csv",
        "STAAR_*.txt",
    ],
    "truth": [
        "students.parquet",
        "records.parquet",
        "programs.parquet",
        "program_years.parquet",
        "student_attendance.parquet",
        "student_years.parquet",
        "trend_chronic_absence.parquet",
        "trend_proficiency.parquet",
        "trend_cohorts.parquet",
        "map_fall_to_fall.parquet",
        "trend_map_growth.parquet",
        "counts.json",
    ],
}


@dataclass(frozen=True)
class Summary:
    """What a run wrote."""

    out_dir: Path
    rows: dict[str, int]
    counts: dict
    seconds: float


def _clear(out: Path) -> None:
    for folder, patterns in _OWNED.items():
        for pattern in patterns:
            for path in (out / folder).glob(pattern):
                path.unlink()


def _trap_sources(con: duckdb.DuckDBPyConnection, tables: list[str]) -> np.ndarray:
    """SIS children whose mistyped rows are to collide with another child's ID."""
    union = " union all ".join(f"select pid, known_to from {t} where collide" for t in tables)
    rows = con.execute(f"select distinct pid from ({union}) where known_to = {IN_SIS} order by pid")
    return np.asarray(rows.fetchnumpy()["pid"], dtype=np.int64)


#: Past this many students the generator's tables live in a database file (see _database).
IN_MEMORY_STUDENTS = 200_000


def _database(config: GeneratorConfig, spill: Path) -> str:
    """In memory for the usual sizes (about 20% faster); a file past IN_MEMORY_STUDENTS.

    A million students plan 15 million attendance rows and more: in-memory tables outgrow the
    memory limit (measured: out of memory at 1 GB), while a file's blocks can be evicted.
    """
    return ":memory:" if config.n_students <= IN_MEMORY_STUDENTS else str(spill / "district.duckdb")


def generate(config: GeneratorConfig) -> Summary:
    """Generate the district described by `config` into `config.out_dir`."""
    started = time.perf_counter()
    out = config.out_dir
    _clear(out)
    spill = tempfile.TemporaryDirectory(prefix="districtwide-synthetic-")
    con = duckdb.connect(
        _database(config, Path(spill.name)),
        config={
            "memory_limit": DUCKDB_MEMORY_LIMIT
            if config.n_students <= IN_MEMORY_STUDENTS
            else LARGE_DUCKDB_MEMORY_LIMIT,
            "temp_directory": spill.name,
        },
    )
    con.execute("set enable_progress_bar = false")
    try:
        district = simulate(config, con)
        attendance.plan_students(district)
        attendance.plan_exceptions(district)
        assessment.plan_state(district)
        assessment.plan_map(district)
        if "iready" in config.benchmarks:
            iready.plan_iready(district)
        if "star" in config.benchmarks:
            star.plan_star(district)
        id_traps.plant(
            district,
            {
                "local": _trap_sources(con, ["att_students_plan", "map_plan"]),
                "state": _trap_sources(con, ["state_plan"]),
            },
        )
        rows = sis.write_sis(district, out / "landing" / "sis")
        rows.update(attendance_layouts.write(district, out / "landing" / "attendance"))
        writers = {**state_layouts.WRITERS, "staar": staar.write_staar}
        write_state = writers.get(config.state, assessment.write_state)
        rows.update(write_state(district, out / "landing" / "assessment"))
        if "map-cdf" in config.benchmarks:
            assessment.build_map_results(district)
            rows.update(map_layouts.write_cdf(district, out / "landing" / "assessment"))
        else:
            rows[assessment.MAP_FILE] = assessment.write_map(
                district, out / "landing" / "assessment"
            )
        if "iready" in config.benchmarks:
            rows.update(iready.write_iready(district, out / "landing" / "assessment"))
        if "star" in config.benchmarks:
            rows.update(star.write_star(district, out / "landing" / "assessment"))
        attendance.write_school_crosswalk(district, out / "config" / "crosswalks")
        counts = truth.write_truth(district, out / "truth", rows)
    finally:
        con.close()
        spill.cleanup()
    seconds = time.perf_counter() - started
    log.info("generated %d files in %.1f s", len(rows), seconds)
    return Summary(out_dir=out, rows=rows, counts=counts, seconds=seconds)
