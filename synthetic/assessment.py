"""The assessment exports: the spring state test (one file per year) and NWEA MAP Growth.

Scores come from each child's latent subject ability plus a school effect and noise, so state
scale scores, achievement levels (cut points of docs/districtwide_layouts.md) and MAP RIT scores and
percentiles agree with one another. A child is tested on a day they are enrolled, at the school
they are enrolled in that day. Faults: missing, transposed or mistyped IDs (some transposed into
another real child's ID), name typos, swapped names, children the SIS never saw, exact
duplicates, wrong field counts (state) and malformed test dates (MAP).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from synthetic import faults, id_traps
from synthetic.config import DISTRICT_CODE, DISTRICT_NAME
from synthetic.district import MAP_GRADES, TESTED_GRADES, District
from synthetic.people import IN_SIS, ONLY_MAP, ONLY_STATE
from synthetic.tables import columns, finalize_export, put_table, write_csv

log = logging.getLogger(__name__)

STATE_COLUMNS = columns(
    "SchoolYear,DistrictCode,SchoolCode,SASID,LastName,FirstName,BirthDate,TestedGrade,Subject,"
    "ScaleScore,AchievementLevel"
)
MAP_COLUMNS = columns(
    "TermName,DistrictName,SchoolName,StudentID,StudentLastName,StudentFirstName,StudentMI,"
    "StudentDateOfBirth,StudentGender,Grade,Subject,Course,TestType,TestName,TestStartDate,"
    "TestDurationMinutes,TestRITScore,TestStandardError,TestPercentile,AchievementQuintile"
)
MAP_FILE = "AssessmentResults.csv"

#: Instructional-day index of each spring state test.
STATE_TEST_DAY = {"ELA": 130, "MATH": 155}
#: (lowest scale score, level) — docs/districtwide_layouts.md cut points; proficient = M or E.
CUTS = ((440, "NM"), (470, "PM"), (500, "M"), (530, "E"))
PROFICIENT_LEVELS = ("M", "E")

#: MAP testing windows as instructional-day index ranges, and the share of a year's growth.
MAP_TERMS = (("Fall", 5, 30, 0.0), ("Winter", 85, 105, 0.55), ("Spring", 150, 172, 1.0))
MAP_SUBJECTS = ("Mathematics", "Reading")
#: Fall mean RIT by grade K..10, and fall-to-spring growth (NWEA-like norms).
_FALL_MEAN = {
    "Mathematics": (140, 160, 175, 188, 199, 209, 214, 219, 224, 226, 228),
    "Reading": (137, 156, 172, 186, 197, 205, 210, 214, 218, 220, 221),
}
_GROWTH = {
    "Mathematics": (19, 18, 15, 13, 11, 10, 8, 7, 6, 4, 3),
    "Reading": (17, 17, 14, 11, 9, 7, 6, 5, 4, 3, 3),
}
_MAP_SD = 15.0
#: RITs at the low edge of the scale (see `_edge_of_scale`) and the share of kindergarten fall
#: tests that get one.
LOW_RITS = (93, 98)
LOW_RIT_SHARE = 0.01
P_MAP_NOT_TESTED = 0.04


def state_file(year: int) -> str:
    return f"state_assessment_{year}.csv"


def achievement_level(score: np.ndarray) -> np.ndarray:
    """The level of each scale score under the state's cut points."""
    lows = np.array([c[0] for c in CUTS])
    return np.array([c[1] for c in CUTS])[np.searchsorted(lows, score, side="right") - 1]


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    """Standard normal CDF (logistic-tanh approximation, within 0.001)."""
    return 0.5 * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def _school_effects(district: District) -> np.ndarray:
    return district.config.stream("assessment.schools").normal(0, 0.25, district.n_schools)


def plan_state(district: District) -> None:
    """Draw the state test rows, scores and faults (table `state_plan`)."""
    con, r = district.con, district.config.rates
    rng = district.config.stream("assessment.state")
    tests = " union all ".join(
        f"select '{s}' as subject, {d} as day" for s, d in STATE_TEST_DAY.items()
    )
    con.execute(
        f"""
        create or replace table state_rows as
        select row_number() over (partition by s.year order by sc.state_code, s.grade,
                                  p.last_name, p.first_name, s.pid, t.subject) as seq,
               s.pid, s.year, s.school, s.grade, t.subject, sc.state_code, p.known_to,
               p.first_name, p.last_name, p.birth_date
        from spans s
        join ({tests}) t on t.day between s.b and s.e
        join schools sc on sc.school = s.school
        join people p on p.pid = s.pid
        where s.known_to in ({IN_SIS}, {ONLY_STATE}) and s.grade in {TESTED_GRADES}
        order by s.year, seq
        """
    )
    rows = con.execute(
        "select year, seq, pid, school, subject, known_to from state_rows order by year, seq"
    ).fetchnumpy()
    pidx = np.asarray(rows["pid"]) - 1
    n = len(pidx)
    ability = np.where(
        np.asarray(rows["subject"]) == "ELA",
        district.people.ela_ability[pidx],
        district.people.math_ability[pidx],
    )
    theta = ability + _school_effects(district)[np.asarray(rows["school"])] + rng.normal(0, 0.3, n)
    score = np.clip(np.round(497 + 21 * theta), 440, 560).astype(np.int64)
    missing = faults.draw(rng, n, r.state_missing_id)
    mistyped = faults.draw(rng, n, r.state_transposed_id, ~missing)
    bad = faults.draw(rng, n, r.state_bad_field_count)
    put_table(
        con,
        "state_draws",
        year=np.asarray(rows["year"]),
        seq=np.asarray(rows["seq"]),
        score=score,
        level=achievement_level(score),
        f_unknown_student=np.asarray(rows["known_to"]) == ONLY_STATE,
        f_missing_id=missing,
        f_mistyped_id=mistyped,
        collide=mistyped & (rng.random(n) < r.mistyped_id_collision_share),
        dup=faults.draw(rng, n, r.state_duplicate),
        f_bad_field_count=bad,
        bad_fields=np.where(bad, np.where(rng.random(n) < 0.5, 1, -1), 0),
        **faults.name_fault_draws(
            rng,
            district.people.first_name[pidx],
            typo=r.state_name_typo,
            swapped=r.state_swapped_names,
            nickname=0.0,
        ),
    )
    con.execute(
        """
        create or replace table state_plan as
        select * from state_rows join state_draws using (year, seq) order by year, seq;
        drop table state_rows; drop table state_draws;
        """
    )
    log.info("state test: %d rows planned", n)


def write_state(district: District, out: Path) -> dict[str, int]:
    con = district.con
    written = {}
    for year in district.config.school_years:
        table = f"state_{year}"
        mistyped = con.execute(
            f"select seq, pid from state_plan where year = {year} and f_mistyped_id order by seq"
        ).fetchnumpy()
        id_traps.typed_ids_table(
            district, f"{table}_typed", mistyped, kind="state", digit_change_share=0.0
        )
        con.execute(
            f"""
            create or replace table {table}_base as
            with shown as ({faults.shown_names_sql(f"(from state_plan where year = {year})")})
            select seq, pid, subject, school, known_to, score, level, dup, bad_fields,
                   f_unknown_student, f_missing_id, f_mistyped_id, f_name_typo, f_swapped_names,
                   f_bad_field_count, t.owner, year as school_year, state_code as school_code,
                   cast(year as varchar) as SchoolYear, '{DISTRICT_CODE}' as DistrictCode,
                   state_code as SchoolCode,
                   case when f_missing_id then '' when f_mistyped_id then t.typed
                        else i.state_id end as SASID,
                   case when bad_fields = 1 then shown_last || ', Jr.' else shown_last end
                       as LastName,
                   shown_first as FirstName, strftime(birth_date, '%Y-%m-%d') as BirthDate,
                   lpad(grade::varchar, 2, '0') as TestedGrade, subject as Subject,
                   score as ScaleScore, level as AchievementLevel
            from shown join ids i using (pid) left join {table}_typed t using (seq)
            """
        )
        finalize_export(con, f"{table}_base", table)
        name = state_file(year)
        district.exports.append((name, table))
        written[name] = write_csv(con, table, out / name, STATE_COLUMNS, bad_column="LastName")
    con.execute("drop table state_plan")
    return written


def plan_map(district: District) -> None:
    """Draw the MAP rows (three windows, two subjects), RIT scores and faults (`map_plan`)."""
    con, r = district.con, district.config.rates
    rng = district.config.stream("assessment.map")
    people = district.people
    kids = con.execute(
        f"""
        select pid, year, min(grade) as grade from spans
        where known_to in ({IN_SIS}, {ONLY_MAP}) and grade in {MAP_GRADES}
        group by pid, year order by year, pid
        """
    ).fetchnumpy()
    k = len(kids["pid"])
    n_terms, n_subjects = len(MAP_TERMS), len(MAP_SUBJECTS)
    kid = np.repeat(np.arange(k), n_terms * n_subjects)
    term = np.tile(np.repeat(np.arange(n_terms), n_subjects), k)
    subject = np.tile(np.arange(n_subjects), k * n_terms)
    lo = np.array([t[1] for t in MAP_TERMS])[term]
    hi = np.array([t[2] for t in MAP_TERMS])[term]
    day = lo + (rng.random(len(kid)) * (hi - lo + 1)).astype(np.int64)
    tested = rng.random(len(kid)) >= P_MAP_NOT_TESTED
    put_table(
        con,
        "map_candidates",
        cand=np.arange(len(kid))[tested],
        pid=np.asarray(kids["pid"])[kid][tested],
        year=np.asarray(kids["year"])[kid][tested],
        term=term[tested],
        subject=np.array(MAP_SUBJECTS)[subject][tested],
        day_idx=day[tested],
    )
    con.execute(
        """
        create or replace table map_rows as
        select row_number() over (order by m.year, m.term, sc.name, p.last_name, p.first_name,
                                  m.pid, m.subject) as seq,
               m.pid, m.year, m.term, m.subject, s.school, s.grade, sc.name as school_name,
               c.date, p.known_to, p.first_name, p.last_name, p.middle_name, p.birth_date, p.sex
        from map_candidates m
        join spans s on s.pid = m.pid and s.year = m.year and m.day_idx between s.b and s.e
        join schools sc on sc.school = s.school
        join people p on p.pid = m.pid
        join calendar c on c.year = m.year and c.day_idx = m.day_idx
        order by seq;
        drop table map_candidates;
        """
    )
    rows = con.execute(
        "select pid, school, grade, term, subject, known_to from map_rows order by seq"
    ).fetchnumpy()
    pidx = np.asarray(rows["pid"]) - 1
    grade = np.asarray(rows["grade"])
    term = np.asarray(rows["term"])
    math = np.asarray(rows["subject"]) == "Mathematics"
    n = len(pidx)
    fall = np.where(
        math, np.array(_FALL_MEAN["Mathematics"])[grade], np.array(_FALL_MEAN["Reading"])[grade]
    )
    growth = np.where(
        math, np.array(_GROWTH["Mathematics"])[grade], np.array(_GROWTH["Reading"])[grade]
    )
    norm = fall + growth * np.array([t[3] for t in MAP_TERMS])[term]
    ability = np.where(math, people.math_ability[pidx], people.ela_ability[pidx])
    z = ability + _school_effects(district)[np.asarray(rows["school"])]
    rit = np.clip(np.round(norm + _MAP_SD * z + rng.normal(0, 3.5, n)), 100, 350).astype(np.int64)
    rit = _edge_of_scale(district, rit, grade, term)
    percentile = np.clip(np.round(100 * _normal_cdf((rit - norm) / _MAP_SD)), 1, 99).astype(
        np.int64
    )
    quintile = np.array(["Low", "LoAvg", "Avg", "HiAvg", "High"])[
        np.minimum((percentile - 1) // 20, 4)
    ]
    band = np.select([grade <= 1, grade <= 5], ["K-2", "2-5"], "6+")
    test_name = np.where(
        math,
        np.char.add(np.char.add("Growth: Math ", band), " CCSS 2010 V2"),
        np.char.add(np.char.add("Growth: Reading ", band), " CCSS 2010 V4"),
    )
    missing = faults.draw(rng, n, r.map_missing_id)
    mistyped = faults.draw(rng, n, r.map_mistyped_id, ~missing)
    if "map-cdf" in district.config.benchmarks:
        missing[:] = False  # a CDF profile always has a StudentID (the same draws otherwise)
    put_table(
        con,
        "map_draws",
        seq=np.arange(1, n + 1),
        rit=rit,
        percentile=percentile,
        quintile=quintile,
        std_error=np.round(rng.uniform(2.8, 3.6, n), 1),
        duration=rng.integers(25, 80, n),
        test_name=test_name,
        f_unknown_student=np.asarray(rows["known_to"]) == ONLY_MAP,
        f_missing_id=missing,
        f_mistyped_id=mistyped,
        collide=mistyped & (rng.random(n) < r.mistyped_id_collision_share),
        dup=faults.draw(rng, n, r.map_duplicate),
        f_malformed_date=faults.draw(rng, n, r.map_malformed_date),
        date_form=rng.integers(0, 3, n),
        **faults.name_fault_draws(
            rng, people.first_name[pidx], typo=r.map_name_typo, swapped=0.0, nickname=0.0
        ),
    )
    con.execute(
        """
        create or replace table map_plan as
        select * from map_rows join map_draws using (seq) order by seq;
        drop table map_rows; drop table map_draws;
        """
    )
    log.info("MAP: %d rows planned", n)


def _edge_of_scale(
    district: District, rit: np.ndarray, grade: np.ndarray, term: np.ndarray
) -> np.ndarray:
    """Real MAP Growth K-2 files hold RITs below 100 (93-98 seen in a real district): the lowest
    kindergarten fall scores (LOW_RIT_SHARE of them, at least 3) become 93-98. They are valid
    results and must load (crosswalk score_ranges), not be quarantined by a 100-350 rule."""
    rng = district.config.stream("assessment.map.low_rit")
    candidates = np.flatnonzero((grade == 0) & (term == 0))
    k = min(len(candidates), max(3, round(LOW_RIT_SHARE * len(candidates))))
    lowest = candidates[np.argsort(rit[candidates], kind="stable")[:k]]
    rit = rit.copy()
    rit[lowest] = rng.integers(LOW_RITS[0], LOW_RITS[1] + 1, k)
    return rit


def write_map(district: District, out: Path) -> int:
    """The combined export (`--benchmark map-combined`): one row per test event, names inline."""
    build_map_results(district)
    return write_csv(district.con, "map_results", out / MAP_FILE, MAP_COLUMNS)


def build_map_results(district: District) -> None:
    """`map_results`: the MAP rows as written, faults drawn, in file order (any MAP layout)."""
    con = district.con
    mistyped = con.execute(
        "select seq, pid from map_plan where f_mistyped_id order by seq"
    ).fetchnumpy()
    id_traps.typed_ids_table(district, "map_typed", mistyped, kind="local", digit_change_share=0.5)
    terms = " union all ".join(
        f"select {i} as term, '{t[0]}' as term_label" for i, t in enumerate(MAP_TERMS)
    )
    con.execute(
        f"""
        create or replace table map_base as
        with shown as ({faults.shown_names_sql("map_plan")})
        select seq, pid, year, subject, known_to, dup, f_unknown_student, f_missing_id,
               f_mistyped_id, f_name_typo, f_malformed_date, t.owner,
               tl.term_label || ' ' || (year - 1) || '-' || year as TermName,
               '{DISTRICT_NAME}' as DistrictName, school_name as SchoolName,
               case when f_missing_id then '' when f_mistyped_id then t.typed
                    else i.local_id end as StudentID,
               shown_last as StudentLastName, shown_first as StudentFirstName,
               left(middle_name, 1) as StudentMI,
               strftime(birth_date, '%m/%d/%Y') as StudentDateOfBirth,
               case sex when 'male' then 'M' else 'F' end as StudentGender,
               short_grade(grade) as Grade, subject as Subject,
               case when subject = 'Mathematics' then 'Math K-12' else 'Reading' end as Course,
               'Survey With Goals' as TestType, test_name as TestName,
               case when not f_malformed_date then strftime(date, '%m/%d/%Y')
                    when date_form = 0 then '13/45/' || year(date)
                    when date_form = 1 then strftime(date, '%Y-%m-%d')
                    else '' end as TestStartDate,
               duration as TestDurationMinutes, rit as TestRITScore,
               printf('%.1f', std_error) as TestStandardError, percentile as TestPercentile,
               quintile as AchievementQuintile
        from shown join ids i using (pid) join ({terms}) tl using (term)
        left join map_typed t using (seq)
        """
    )
    if "map-cdf" in district.config.benchmarks:
        # The CDF has one profile per ID, term and school: a mistyped ID that is another child's
        # tested at the same school that term would be that child (no pipeline could tell them
        # apart), so such a row keeps its real ID there.
        con.execute(
            """
            update map_base b set StudentID = i.local_id, f_mistyped_id = false, owner = null
            from ids i
            where b.f_mistyped_id and i.pid = b.pid and exists (
                select 1 from map_base o
                where o.TermName = b.TermName and o.SchoolName = b.SchoolName
                  and o.StudentID = b.StudentID and o.pid <> b.pid)
            """
        )
    finalize_export(con, "map_base", "map_results")
    con.execute("drop table map_plan")
    district.exports.append((MAP_FILE, "map_results"))
