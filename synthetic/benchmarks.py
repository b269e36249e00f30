"""Benchmark assessments beside MAP: i-Ready Diagnostic (`--benchmark iready`).

Every SIS student in kindergarten to grade 8 takes the i-Ready Diagnostic in reading (ELA) and
math in each norming window (fall, winter, spring), on a day they are enrolled, at the school they
are enrolled in that day; a few miss a window. Scores come from the same latent abilities and
school effects as the state test and MAP, so the tests agree. Curriculum Associates exports one
file per subject for all years (`diagnostic_results_<subject>_CONFIDENTIAL.csv`, UTF-8 with a
byte-order mark) in the header of the layouts `iready_diagnostic_ela`/`_math`: the overall score
and one score and placement per domain. Faults, at MAP's rates: exact duplicate rows, malformed
completion dates and a blank Student ID (the state ID and names still identify the child).

`truth()` gives what a correct load reproduces (counts.json `benchmarks`).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from synthetic import faults
from synthetic.assessment import MAP_TERMS, _normal_cdf, _school_effects
from synthetic.district import District
from synthetic.people import IN_SIS
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
_SEASONS = ("Fall", "Winter", "Spring")
P_NOT_TESTED = 0.05
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
    rng = district.config.stream("benchmarks.iready")
    kids = con.execute(
        f"""
        select pid, year, min(grade) as grade from spans
        where known_to = {IN_SIS} and grade in {IREADY_GRADES}
        group by pid, year order by year, pid
        """
    ).fetchnumpy()
    k, n_w, subjects = len(kids["pid"]), len(WINDOWS), list(SUBJECTS)
    kid = np.repeat(np.arange(k), n_w * len(subjects))
    window = np.tile(np.repeat(np.arange(n_w), len(subjects)), k)
    subject = np.tile(np.arange(len(subjects)), k * n_w)
    lo = np.array([t[1] for t in MAP_TERMS])[window]
    hi = np.array([t[2] for t in MAP_TERMS])[window]
    day = lo + (rng.random(len(kid)) * (hi - lo + 1)).astype(np.int64)
    tested = rng.random(len(kid)) >= P_NOT_TESTED
    put_table(
        con,
        "iready_candidates",
        pid=np.asarray(kids["pid"])[kid][tested],
        year=np.asarray(kids["year"])[kid][tested],
        win=window[tested],
        subject=np.array(subjects)[subject][tested],
        day_idx=day[tested],
    )
    con.execute(
        """
        create or replace table iready_rows as
        select row_number() over (order by m.subject, m.year, m.win, sc.name, p.last_name,
                                  p.first_name, m.pid) as seq,
               m.pid, m.year, m.win, m.subject, s.school, s.grade, sc.name as school_name,
               sc.state_code, c.date, p.first_name, p.last_name
        from iready_candidates m
        join spans s on s.pid = m.pid and s.year = m.year and m.day_idx between s.b and s.e
        join schools sc on sc.school = s.school
        join people p on p.pid = m.pid
        join calendar c on c.year = m.year and c.day_idx = m.day_idx
        order by seq;
        drop table iready_candidates;
        """
    )
    rows = con.execute(
        "select pid, school, grade, win, subject from iready_rows order by seq"
    ).fetchnumpy()
    pidx = np.asarray(rows["pid"]) - 1
    grade = np.asarray(rows["grade"])
    math = np.asarray(rows["subject"]) == "Math"
    n = len(pidx)
    # Fall norms rise by grade; a year's growth is largest in the early grades.
    norm = np.where(math, 362 + 27 * grade, 365 + 30 * grade) + (
        (34 - 2 * grade) * np.array([0.0, 0.5, 1.0])[np.asarray(rows["win"])]
    )
    ability = np.where(math, district.people.math_ability[pidx], district.people.ela_ability[pidx])
    z = ability + _school_effects(district)[np.asarray(rows["school"])]
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
        table = f"iready_{subject.lower()}"
        con.execute(
            f"""
            create or replace table {table}_base as
            select row_number() over (order by seq) as seq, pid, dup, f_malformed_date,
                   f_missing_id, year, win, '{subject}' as subject,
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


def truth(district: District) -> dict:
    """counts.json `benchmarks`: per assessment, subject, school year and window the test events
    a correct load keeps (format-valid, not a duplicate copy: every taker is a SIS student) and
    the measures each has; per file the lines a load must quarantine (duplicate copies and
    malformed dates)."""
    con = district.con
    if not any(f.startswith("diagnostic_results_") for f, _ in district.exports):
        return {"results": [], "quarantined_lines": {}}
    union = " union all ".join(
        f"select '{f}' as file, subject, year, win, f_duplicate, f_malformed_date from {t}"
        for f, t in district.exports
        if f.startswith("diagnostic_results_")
    )
    results = con.execute(
        f"""
        select '{IREADY}', subject, year, win, count(*)
        from ({union}) where not f_duplicate and not f_malformed_date
        group by all order by all
        """
    ).fetchall()
    quarantined = con.execute(
        f"""
        select file, count(*) from ({union})
        where f_duplicate or f_malformed_date group by all order by all
        """
    ).fetchall()
    return {
        "results": [
            {
                "assessment": a,
                "subject": s,
                "school_year": y,
                "season": _SEASONS[w],
                "measures": 1 + len(SUBJECTS[s][2]),
                "n_events": n,
            }
            for a, s, y, w, n in results
        ],
        "quarantined_lines": dict(quarantined),
    }
