"""What every benchmark assessment shares: who is tested when and where, and the truth.

A benchmark (i-Ready, Star) tests every SIS student of its grades in each screening window
(fall, winter, spring: MAP's windows), per subject, on a day they are enrolled, at the school they
are enrolled in that day; a few miss a window. Each vendor module (`iready`, `star`) draws its
scores from the same latent abilities and school effects as the state test and MAP, and writes
its files; each written table (`bench_*`) carries `assessment`, `subject`, `year`, `win`,
`measures` (results per line) and the fault flags `truth` counts.
"""

from __future__ import annotations

import numpy as np

from synthetic.assessment import MAP_TERMS, _school_effects
from synthetic.district import District
from synthetic.people import IN_SIS
from synthetic.tables import put_table

SEASONS = ("Fall", "Winter", "Spring")
P_NOT_TESTED = 0.05


def plan_events(
    district: District, key: str, subjects: tuple[str, ...], grades: tuple[int, ...]
) -> dict[str, np.ndarray]:
    """Table `{key}_rows` (seq, pid, year, win, subject, school, grade, school_name, state_code,
    date, first_name, last_name) in file order; returns its pid index, grade, window, subject
    and the child's latent z (ability in the subject plus the school's effect)."""
    con = district.con
    rng = district.config.stream(f"benchmarks.{key}")
    kids = con.execute(
        f"""
        select pid, year, min(grade) as grade from spans
        where known_to = {IN_SIS} and grade in {grades}
        group by pid, year order by year, pid
        """
    ).fetchnumpy()
    k, n_w, n_s = len(kids["pid"]), len(MAP_TERMS), len(subjects)
    kid = np.repeat(np.arange(k), n_w * n_s)
    window = np.tile(np.repeat(np.arange(n_w), n_s), k)
    subject = np.tile(np.arange(n_s), k * n_w)
    lo = np.array([t[1] for t in MAP_TERMS])[window]
    hi = np.array([t[2] for t in MAP_TERMS])[window]
    day = lo + (rng.random(len(kid)) * (hi - lo + 1)).astype(np.int64)
    tested = rng.random(len(kid)) >= P_NOT_TESTED
    put_table(
        con,
        f"{key}_candidates",
        pid=np.asarray(kids["pid"])[kid][tested],
        year=np.asarray(kids["year"])[kid][tested],
        win=window[tested],
        subject=np.array(subjects)[subject][tested],
        day_idx=day[tested],
    )
    con.execute(
        f"""
        create or replace table {key}_rows as
        select row_number() over (order by m.subject, m.year, m.win, sc.name, p.last_name,
                                  p.first_name, m.pid) as seq,
               m.pid, m.year, m.win, m.subject, s.school, s.grade, sc.name as school_name,
               sc.state_code, c.date, p.first_name, p.last_name, p.birth_date
        from {key}_candidates m
        join spans s on s.pid = m.pid and s.year = m.year and m.day_idx between s.b and s.e
        join schools sc on sc.school = s.school
        join people p on p.pid = m.pid
        join calendar c on c.year = m.year and c.day_idx = m.day_idx
        order by seq;
        drop table {key}_candidates;
        """
    )
    rows = con.execute(
        f"select pid, school, grade, win, subject from {key}_rows order by seq"
    ).fetchnumpy()
    pidx = np.asarray(rows["pid"]) - 1
    math = np.asarray(rows["subject"]) == "Math"
    people = district.people
    ability = np.where(math, people.math_ability[pidx], people.ela_ability[pidx])
    return {
        "pidx": pidx,
        "grade": np.asarray(rows["grade"]),
        "win": np.asarray(rows["win"]),
        "math": math,
        "z": ability + _school_effects(district)[np.asarray(rows["school"])],
    }


def truth(district: District) -> dict:
    """counts.json `benchmarks`: per assessment, subject, school year and window the test events
    a correct load keeps (format-valid, not a duplicate copy: every taker is a SIS student) and
    the results each line holds; per file the lines a load must quarantine (duplicate copies and
    malformed dates)."""
    con = district.con
    written = [(f, t) for f, t in district.exports if t.startswith("bench_")]
    if not written:
        return {"results": [], "quarantined_lines": {}}
    union = " union all ".join(
        f"select '{f}' as file, assessment, subject, year, win, measures, f_duplicate, "
        f"f_malformed_date from {t}"
        for f, t in written
    )
    results = con.execute(
        f"""
        select assessment, subject, year, win, max(measures), count(*)
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
                "season": SEASONS[w],
                "measures": m,
                "n_events": n,
            }
            for a, s, y, w, m, n in results
        ],
        "quarantined_lines": dict(quarantined),
    }
