"""Renaissance Star Reading and Star Math beside MAP (`--benchmark star`).

Every SIS student in grades 1 to 8 takes Star Reading and Star Math in each screening window
(`benchmark_plan`). Renaissance's Data Exports v2 deliver one file per product for all years
(`SR_v2.csv`, `SM_v2.csv`, CRLF) in the header of the layouts `star_reading_v2`/`star_math_v2`
(verbatim in `synthetic/headers/`): one row per test with the scaled score, percentile rank and
Renaissance benchmark category, the student's IDs, names and birth date. Faults, at MAP's rates:
exact duplicate rows, malformed completion dates and a blank StudentIdentifier (the state ID and
birth date still identify the child).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from synthetic import benchmark_plan, faults
from synthetic.assessment import _normal_cdf
from synthetic.config import DISTRICT_NAME
from synthetic.district import District
from synthetic.state_layouts import header
from synthetic.tables import finalize_export, put_table, write_csv

log = logging.getLogger(__name__)

STAR_GRADES = tuple(range(1, 9))
#: Per subject (the layouts' Subject value): product, file, header, fall norm by grade
#: (intercept, slope), a year's growth and the spread of scaled scores.
PRODUCTS = {
    "Reading": ("Star Reading", "SR_v2.csv", "star_reading_v2", (150, 95), 60, 110.0),
    "Math": ("Star Math", "SM_v2.csv", "star_math_v2", (380, 65), 45, 80.0),
}
#: Renaissance benchmark categories by lowest percentile rank.
CATEGORIES = ((1, "Urgent Intervention"), (10, "Intervention"), (25, "On Watch"),
              (40, "At/Above Benchmark"))  # fmt: skip


def plan_star(district: District) -> None:
    """Draw the Star rows of both products (`star_plan`), scores and faults."""
    con, r = district.con, district.config.rates
    ev = benchmark_plan.plan_events(district, "star", tuple(PRODUCTS), STAR_GRADES)
    rng = district.config.stream("benchmarks.star.scores")
    grade, math, n = ev["grade"], ev["math"], len(ev["pidx"])
    reading, mathp = PRODUCTS["Reading"], PRODUCTS["Math"]
    fall = np.where(math, mathp[3][0] + mathp[3][1] * grade, reading[3][0] + reading[3][1] * grade)
    norm = fall + np.where(math, mathp[4], reading[4]) * np.array([0.0, 0.5, 1.0])[ev["win"]]
    sd = np.where(math, mathp[5], reading[5])
    score = np.clip(np.round(norm + sd * ev["z"] + rng.normal(0, 0.25, n) * sd), 0, 1400)
    percentile = np.clip(np.round(100 * _normal_cdf((score - norm) / sd)), 1, 99).astype(np.int64)
    lows = np.array([c[0] for c in CATEGORIES])
    category = np.array([c[1] for c in CATEGORIES])[
        np.searchsorted(lows, percentile, side="right") - 1
    ]
    put_table(
        con,
        "star_draws",
        seq=np.arange(1, n + 1),
        score=score.astype(np.int64),
        percentile=percentile,
        category=category,
        minute=rng.integers(0, 60 * 6, n),
        seconds=rng.integers(600, 2400, n),
        dup=faults.draw(rng, n, r.map_duplicate),
        f_malformed_date=faults.draw(rng, n, r.map_malformed_date),
        f_missing_id=faults.draw(rng, n, r.map_missing_id),
    )
    con.execute(
        """
        create or replace table star_plan as
        select * from star_rows join star_draws using (seq) order by seq;
        drop table star_rows; drop table star_draws;
        """
    )
    log.info("Star: %d rows planned", n)


def write_star(district: District, out: Path) -> dict[str, int]:
    """One v2 file per product (unsimulated columns left empty)."""
    con = district.con
    rows = {}
    seasons = " union all ".join(
        f"select {i} as win, '{s}' as w" for i, s in enumerate(benchmark_plan.SEASONS)
    )
    for subject, (product, name, layout, *_) in PRODUCTS.items():
        table = f"bench_star_{subject.lower()}"
        con.execute(
            f"""
            create or replace table {table}_base as
            with timed as (
                select p.*, date + interval 8 hour + minute * interval 1 minute as local_ts,
                       year(date) || '-13-' || lpad(day(date)::varchar, 2, '0') as bad_date
                from star_plan p where subject = '{subject}'
            )
            select row_number() over (order by seq) as seq, pid, dup, f_malformed_date,
                   f_missing_id, year, win, '{product}' as assessment, '{subject}' as subject,
                   1 as measures, '100' as RenaissanceClientID,
                   (year - 1) || '-' || year as SchoolYear,
                   case when f_missing_id then '' else i.local_id end as StudentIdentifier,
                   i.state_id as StudentStateID, first_name as StudentFirstName,
                   last_name as StudentLastName, case pp.sex when 'male' then 'M' else 'F' end
                       as Gender,
                   strftime(birth_date, '%Y-%m-%dT00:00:00Z') as BirthDate,
                   grade_name as CurrentGrade, '{DISTRICT_NAME}' as DistrictName,
                   state_code as SchoolStateID, school_name as SchoolName,
                   strftime(local_ts + interval 4 hour, '%Y-%m-%dT%H:%M:%S.000Z')
                       as LaunchDate,
                   case when f_malformed_date then bad_date
                        else strftime(local_ts + interval 4 hour, '%Y-%m-%dT%H:%M:%S.000Z')
                   end as CompletedDate,
                   case when f_malformed_date then bad_date
                        else strftime(local_ts, '%Y-%m-%dT%H:%M:%S.000Z')
                   end as CompletedDateLocal,
                   'Active' as AssessmentStatus, grade_name as Grade, score as ScaledScore,
                   percentile as PercentileRank, seconds as TotalTimeInSeconds,
                   s.w as ScreeningPeriodWindowName, category as RenaissanceBenchmarkCategoryName,
                   case when percentile >= 45 then 'Yes' else 'No' end as StateBenchmarkProficient
            from (select *, grade::varchar as grade_name from timed) t
            join ids i using (pid) join (select pid, sex from people) pp using (pid)
            join ({seasons}) s using (win)
            """
        )
        finalize_export(con, f"{table}_base", table)
        rows[name] = write_csv(con, table, out / name, header(layout), newline="\r\n", sparse=True)
        district.exports.append((name, table))
    con.execute("drop table star_plan")
    return rows
