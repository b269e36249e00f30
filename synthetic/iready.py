"""i-Ready Diagnostic beside MAP (`--benchmark iready`).

Every SIS student in kindergarten to grade 8 takes the i-Ready Diagnostic in reading (ELA) and
math in each norming window (`benchmark_plan`). Curriculum Associates exports one
file per subject for all years (`diagnostic_results_<subject>_CONFIDENTIAL.csv`, UTF-8 with a
byte-order mark) in the header of the layouts `iready_diagnostic_ela`/`_math`: the overall score
and one score and placement per domain. Faults, at MAP's rates: exact duplicate rows, malformed
completion dates and a blank Student ID (the state ID and names still identify the child).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from synthetic import benchmark_plan, faults
from synthetic.assessment import _normal_cdf
from synthetic.district import District
from synthetic.tables import columns, finalize_export, put_table, write_csv

log = logging.getLogger(__name__)

IREADY = "i-Ready Diagnostic"
IREADY_GRADES = tuple(range(9))
_COMMON = (
    "Last Name,First Name,Student ID,Student Grade,Academic Year,School,Enrolled,"
    "District State ID,Account State ID,School State ID,Student State ID,User Name,Sex,"
    "Hispanic or Latino,Race,English Language Learner,Special Education,"
    "Economically Disadvantaged,Migrant,Class(es),Class Teacher(s),Report Group(s),Start Date,"
    "Completion Date,Norming Window,Baseline Diagnostic (Y/N),Most Recent Diagnostic YTD (Y/N),"
    "Duration (min),Rush Flag,Read Aloud,Overall Scale Score,Overall Placement,"
    "Overall Relative Placement,Percentile,Grouping"
)
#: Per subject (the layouts' Subject value): the measure column, its unit and the domains.
SUBJECTS = {
    "ELA": (
        "Lexile",
        "L",
        (
            "Phonological Awareness",
            "Phonics",
            "High-Frequency Words",
            "Vocabulary",
            "Comprehension: Overall",
            "Comprehension: Literature",
            "Comprehension: Informational Text",
        ),
    ),
    "Math": (
        "Quantile",
        "Q",
        (
            "Number and Operations",
            "Algebra and Algebraic Thinking",
            "Measurement and Data",
            "Geometry",
        ),
    ),
}
_TAIL = {
    "ELA": ",Reading Difficulty Indicator (Y/N)",
    "Math": ",Proficiency if Student Shows No Additional Growth,"
    "Projection if Student Achieves Typical Growth,Projection if Student Achieves Stretch Growth",
}
#: i-Ready's norming windows, by MAP_TERMS index.
WINDOWS = (
    "Fall (July 1 - November 15)",
    "Winter (November 16 - March 1)",
    "Spring (March 2 - June 30)",
)
_SD = 30.0
#: Relative placement by the score's distance from the grade's norm (in SDs), lowest first.
_PLACEMENTS = (
    (-np.inf, "3 or More Grade Levels Below", -3),
    (-2.5, "2 Grade Levels Below", -2),
    (-1.5, "1 Grade Level Below", -1),
    (-0.5, "Early On Grade Level", 0),
    (0.3, "Mid or Above Grade Level", 0),
)


def header(subject: str) -> list[str]:
    measure, _, domains = SUBJECTS[subject]
    cols = f"{_COMMON},{measure} Measure,{measure} Range"
    for d in domains:
        cols += f",{d} Scale Score,{d} Placement,{d} Relative Placement"
    cols += ",Diagnostic Gain,Annual Typical Growth Measure,Annual Stretch Growth Measure,"
    cols += "Percent Progress to Annual Typical Growth (%),"
    cols += "Percent Progress to Annual Stretch Growth (%),Mid On Grade Level Scale Score"
    return columns(cols + _TAIL[subject])


def file_name(subject: str) -> str:
    return f"diagnostic_results_{subject.lower()}_CONFIDENTIAL.csv"


def _placement(score: np.ndarray, norm: np.ndarray, grade: np.ndarray) -> tuple:
    """(relative placement, placement) of each score."""
    z = (score - norm) / _SD
    idx = np.searchsorted(np.array([p[0] for p in _PLACEMENTS]), z, side="right") - 1
    relative = np.array([p[1] for p in _PLACEMENTS])[idx]
    level = np.maximum(grade + np.array([p[2] for p in _PLACEMENTS])[idx], 0)
    placement = np.where(level == 0, "Grade K", np.char.add("Grade ", level.astype(str)))
    return relative, placement


def plan_iready(district: District) -> None:
    """Draw the i-Ready rows of both subjects (`iready_plan`), scores and faults."""
    con, r = district.con, district.config.rates
    ev = benchmark_plan.plan_events(district, "iready", tuple(SUBJECTS), IREADY_GRADES)
    rng = district.config.stream("benchmarks.iready.scores")
    grade, math, n = ev["grade"], ev["math"], len(ev["pidx"])
    # Fall norms rise by grade; a year's growth is largest in the early grades.
    norm = np.where(math, 362 + 27 * grade, 365 + 30 * grade) + (
        (34 - 2 * grade) * np.array([0.0, 0.5, 1.0])[ev["win"]]
    )
    z = ev["z"]
    overall = np.clip(np.round(norm + _SD * z + rng.normal(0, 8, n)), 100, 800).astype(np.int64)
    relative, placement = _placement(overall, norm, grade)
    n_domains = max(len(d[2]) for d in SUBJECTS.values())
    domains = np.clip(
        np.round(overall[:, None] + rng.normal(0, 15, (n, n_domains))), 100, 800
    ).astype(np.int64)
    draws = {
        "seq": np.arange(1, n + 1),
        "overall": overall,
        "percentile": np.clip(np.round(100 * _normal_cdf((overall - norm) / _SD)), 1, 99).astype(
            np.int64
        ),
        "relative": relative,
        "placement": placement,
        "mid_on_grade": np.round(norm + 0.3 * _SD).astype(np.int64),
        "duration": rng.integers(30, 75, n),
        "dup": faults.draw(rng, n, r.map_duplicate),
        "f_malformed_date": faults.draw(rng, n, r.map_malformed_date),
        "f_missing_id": faults.draw(rng, n, r.map_missing_id),
    }
    for j in range(n_domains):
        rel, plc = _placement(domains[:, j], norm, grade)
        draws |= {f"d{j}": domains[:, j], f"d{j}_rel": rel, f"d{j}_plc": plc}
    put_table(con, "iready_draws", **draws)
    con.execute(
        """
        create or replace table iready_plan as
        select * from iready_rows join iready_draws using (seq) order by seq;
        drop table iready_rows; drop table iready_draws;
        """
    )
    log.info("i-Ready: %d rows planned", n)


def write_iready(district: District, out: Path) -> dict[str, int]:
    """One file per subject, in the export's header (unsimulated columns left empty)."""
    con = district.con
    rows = {}
    seasons = " union all ".join(f"select {i} as win, '{w}' as w" for i, w in enumerate(WINDOWS))
    for subject, (measure, unit, domain_names) in SUBJECTS.items():
        domain_cols = ", ".join(
            f'd{j} as "{d} Scale Score", d{j}_plc as "{d} Placement", '
            f'd{j}_rel as "{d} Relative Placement"'
            for j, d in enumerate(domain_names)
        )
        table = f"bench_iready_{subject.lower()}"
        con.execute(
            f"""
            create or replace table {table}_base as
            select row_number() over (order by seq) as seq, pid, dup, f_malformed_date,
                   f_missing_id, year, win, '{IREADY}' as assessment, '{subject}' as subject,
                   {1 + len(domain_names)} as measures,
                   last_name as "Last Name", first_name as "First Name",
                   case when f_missing_id then '' else i.local_id end as "Student ID",
                   case when grade = 0 then 'K' else grade::varchar end as "Student Grade",
                   (year - 1) || '-' || year as "Academic Year", school_name as "School",
                   'Enrolled' as "Enrolled", state_code as "School State ID",
                   i.state_id as "Student State ID",
                   strftime(date, '%-m/%-d/%Y') as "Start Date",
                   case when not f_malformed_date then strftime(date, '%-m/%-d/%Y')
                        else '13/' || day(date) || '/' || year(date) end as "Completion Date",
                   s.w as "Norming Window",
                   case when win = 0 then 'Y' else 'N' end as "Baseline Diagnostic (Y/N)",
                   case when win = 2 then 'Y' else 'N' end
                       as "Most Recent Diagnostic YTD (Y/N)",
                   duration as "Duration (min)", 'Off' as "Read Aloud",
                   overall as "Overall Scale Score", placement as "Overall Placement",
                   relative as "Overall Relative Placement", percentile as "Percentile",
                   case when overall < 400 then 'BR' || (400 - overall) * 4 || '{unit}'
                        else ((overall - 400) * 4)::varchar || '{unit}' end
                       as "{measure} Measure",
                   {domain_cols},
                   mid_on_grade as "Mid On Grade Level Scale Score"
            from iready_plan p join ids i using (pid) join ({seasons}) s using (win)
            where p.subject = '{subject}'
            """
        )
        finalize_export(con, f"{table}_base", table)
        name = file_name(subject)
        rows[name] = write_csv(
            con, table, out / name, header(subject), encoding="utf-8-sig", sparse=True
        )
        district.exports.append((name, table))
    con.execute("drop table iready_plan")
    return rows
