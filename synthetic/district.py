"""The district itself: schools, children year by year, enrollment spans, sections and teachers.

Builds the latent world every export is drawn from and puts it into an in-memory DuckDB:

- `schools`   one row per school (SIS sourcedId, state code, attendance-system code, level)
- `calendar`  every weekday of every school year (`day_idx` 0..179 on instructional days)
- `people`    every true child (`pid` = true_student_id), names, demographics, programs flags
- `spans`     enrollment spans: one per child, year and school (two for a mid-year transfer);
              `b`/`e` are instructional-day indices, inclusive
- `span_sections` which homeroom (elementary only), ELA and math section each SIS span sits in
- `classes`   elementary homerooms and ELA/math sections (`class_sid`) with their teacher
              (`teacher_sid`); middle and high schools have no homerooms, as secondary schedules
              have none (a secondary span is known only from its class enrollments)
- `teachers`  one row per teacher

Across several school years (`--years`), each year's SIS children are last year's who stayed,
one grade up (`P_REPEAT` repeat their grade; grade 12 graduates leave), with a new kindergarten
cohort and transfers in, less those who withdrew during the year or left over the summer
(`P_LEAVE_SUMMER`). A child promoted out of a school's grade span goes to the school of the next
level its school feeds (`feeder_school`); `P_CHANGE_SCHOOL` change school within a level between
years. A teacher's post (school, role, seq) changes hands with `P_TEACHER_TURNOVER` between years:
the leaver keeps their ID, the newcomer gets one. These draws come from a stream of their own, so
a one-year district is the same whether or not more years exist in the code.

Children the SIS never saw (known to one other system only) get spans too, so the attendance
and assessment generators treat everyone alike; SIS exports and SIS counts filter on
`known_to = 0`.

One file of ~580 lines on purpose: every table above is drawn from one random stream in a fixed
order, and that order is what makes the same seed give the same bytes; split across modules, a
reordered import or call would silently change every generated district.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import duckdb
import numpy as np

from synthetic import id_traps, names, people
from synthetic.config import (
    DISTRICT_CODE,
    EMAIL_DOMAIN,
    LEVELS,
    GeneratorConfig,
)
from synthetic.faults import FaultRates, id_strings, install_macros
from synthetic.people import RACE_FLAGS, People, local_id_width
from synthetic.school_calendar import (
    INSTRUCTIONAL_DAYS,
    SchoolYearCalendar,
    build_calendar,
)
from synthetic.tables import put_table, scalar

log = logging.getLogger(__name__)

FULL_YEAR, TRANSFER, ENTER, WITHDRAW = range(4)
P_TRANSFER, P_ENTER, P_WITHDRAW = 0.03, 0.02, 0.02
P_LOOKALIKE = 0.4  # share of the SIS-unknown children who are a SIS child's look-alike twin
# Secondary students who withdraw and re-enter the same school within a year: in no class for
# GAP_DAYS school days (longer than the default enrollment_gap_school_days, 10), so two spans.
P_GAP = 0.01
GAP_DAYS = (11, 31)
#: Between school years: share of continuing students who repeat their grade (kindergarten and
#: grade 9 retention are the common ones; ~1-2% nationally, NCES "Grade retention" indicator),
#: who leave the district over the summer (moved away, private school) and who change school
#: within a level (a family moved inside the district).
P_REPEAT = 0.015
P_LEAVE_SUMMER = 0.03
P_CHANGE_SCHOOL = 0.04
#: Share of teacher posts whose teacher leaves between years (replaced by a new teacher).
P_TEACHER_TURNOVER = 0.10
SECTION_MAX = 28  # a grade's students are split into ceil(n / 28) sections (about 25 each)
SECTIONS_PER_TEACHER = 5
TESTED_GRADES = (3, 4, 5, 6, 7, 8, 10)
MAP_GRADES = tuple(range(11))
LEVEL_OF_GRADE = np.array([0] * 6 + [1] * 3 + [2] * 4)

_SCHOOL_NAMES = names.words(
    """Lincoln Washington Jefferson Adams Kennedy Roosevelt Franklin Hawthorne Emerson Thoreau
    Whittier Longfellow Alcott Dickinson Edison Carver Douglass Tubman Parks Chávez Revere Hale
    Bradford Winthrop Hancock Otis Mann Sumner Quincy Wheatley Attucks Bancroft Bowditch Channing
    Agassiz Audubon Curie Earhart Keller Lowell Marshall Mitchell Pierce Putnam Sargent Stowe
    Tobin Ward Webster Wilson Oak-Hill Riverbend Maple-Grove Cedar-Park Elm-Street Pine-Ridge
    Birch-Meadow Willow-Brook Spring-Valley Highland Lakeside Fairview Brookside Hillcrest
    Meadowbrook Northfield Southwood Eastgate Westbrook Greenfield Clearwater Stonybrook
    Sunnyside Forest-Park Harbor-View Bayside Cliffside Mill-Pond Orchard Parkside Ridgeview
    Valley-View Woodland Crestview Glenwood Kingsley Lafayette Monroe Madison Garfield Grant
    Hamilton Jackson Harrison Hayes Cleveland Taft Coolidge Hoover Truman Eisenhower Bunche
    Robinson Clemente Ochoa Sotomayor Yamasaki Ride Chisholm Marshall-Park Banneker Tesla
    Goddard Sagan Hopper Lovelace Turing Franklin-Park Jamaica-Pond Mystic Charles-River
    Neponset Merrimack Nashoba Wachusett Monadnock Berkshire Cape-Ann Plum-Island Nantucket
    Quabbin Saugus Chicopee Housatonic Deerfield Sudbury Assabet Concord Musketaquid""",
)
_LEVEL_SUFFIX = ("Elementary School", "Middle School", "High School")


@dataclass
class District:
    """The latent world: configuration, the DuckDB holding its tables, and the people arrays."""

    config: GeneratorConfig
    con: duckdb.DuckDBPyConnection
    calendars: dict[int, SchoolYearCalendar]
    people: People
    n_schools: int
    #: (file name, final table) of every exported file whose rows the ground truth records
    exports: list[tuple[str, str]] = field(default_factory=list)
    #: per ID kind ('local', 'state'): trap transposition position per person (-1: none)
    trap_pos: dict[str, np.ndarray] = field(default_factory=dict)
    #: per ID kind: the person index whose ID a trapped person's typo gives (-1: none)
    trap_victim: dict[str, np.ndarray] = field(default_factory=dict)

    def register_people(self) -> None:
        """(Re)create the `people` and `ids` tables from the people arrays."""
        p = self.people
        put_table(
            self.con,
            "people",
            pid=np.arange(1, len(p) + 1),
            known_to=p.known_to,
            sex=p.sex,
            first_name=p.first_name,
            middle_name=p.middle_name,
            last_name=p.last_name,
            birth_date=p.birth_date,
            **{flag: p.race[:, i] for i, flag in enumerate(RACE_FLAGS)},
            two_or_more=p.two_or_more,
            hispanic=p.hispanic,
            country_of_birth=p.country_of_birth,
            state_of_birth=p.state_of_birth,
            city_of_birth=p.city_of_birth,
            residence_status=p.residence_status,
            ell=p.ell,
            sped=p.sped,
            frl=p.frl,
            same_name_group=p.same_name_group,
            lookalike_of=p.lookalike_of,
            namesake_of=p.namesake_of,
        )
        self.register_ids()

    def register_ids(self) -> None:
        """(Re)create the `ids` table: each child's IDs as the systems print them."""
        p = self.people
        put_table(
            self.con,
            "ids",
            pid=np.arange(1, len(p) + 1),
            local_id=id_strings(p.local_id, local_id_width(len(p))),
            state_id=id_strings(p.state_id, 10),
            stunum=id_strings(p.stunum, 7),
        )


def school_counts(n_students: int) -> list[int]:
    """Schools per level: about 450 / 700 / 1200 students each, at least one of each."""
    share = [6 / 13, 3 / 13, 4 / 13]
    return [
        max(1, round(n_students * s / size))
        for s, (_, _, _, size) in zip(share, LEVELS, strict=True)
    ]


def _schools(con: duckdb.DuckDBPyConnection, counts: list[int]) -> tuple[np.ndarray, np.ndarray]:
    level = np.repeat(np.arange(3), counts)
    n = len(level)
    idx = np.arange(n)
    within = idx - np.repeat(np.cumsum([0, *counts[:-1]]), counts)
    base = np.array(_SCHOOL_NAMES)[(within * 7 + level * 3) % len(_SCHOOL_NAMES)]
    round_no = (within * 7 + level * 3) // len(_SCHOOL_NAMES)
    base = np.char.replace(base, "-", " ")
    suffix = np.array(_LEVEL_SUFFIX)[level]
    name = np.where(
        round_no > 0,
        np.char.add(np.char.add(base, " "), (round_no + 1).astype(str)),
        base,
    )
    put_table(
        con,
        "schools",
        school=idx,
        sourced_id=np.char.add("SCH", np.char.zfill((idx + 1).astype(str), 2)),
        name=np.char.add(np.char.add(name, " "), suffix),
        level=level,
        level_name=np.array([lv[0] for lv in LEVELS])[level],
        state_code=np.char.add(DISTRICT_CODE, np.char.zfill(((idx + 1) * 5).astype(str), 4)),
        att_code=(idx + 101).astype(str),
        low_grade=np.array([lv[1] for lv in LEVELS])[level],
        high_grade=np.array([lv[2] for lv in LEVELS])[level],
    )
    starts = np.cumsum([0, *counts[:-1]])
    return starts, np.array(counts)


def _calendar_table(
    con: duckdb.DuckDBPyConnection, calendars: dict[int, SchoolYearCalendar]
) -> None:
    parts = [(np.full(len(c.dates), y), c.dates, c.day_types) for y, c in sorted(calendars.items())]
    year, dates, types = (np.concatenate(p) for p in zip(*parts, strict=True))
    put_table(con, "calendar_raw", year=year, date=dates, day_type=types)
    con.execute(
        """
        create or replace table calendar as
        select year, date, day_type,
               case when day_type = 'instructional'
                    then row_number() over (partition by year, day_type = 'instructional'
                                            order by date) - 1 end as day_idx
        from calendar_raw;
        drop table calendar_raw;
        """
    )


@dataclass
class _Cohort:
    """The SIS children of one year, as the next year needs them."""

    pid: np.ndarray
    grade: np.ndarray
    school: np.ndarray  # school at the end of the year
    first_school: np.ndarray  # school at the start of the year's first span
    category: np.ndarray


class _Population:
    """Accumulates children and enrollment spans year by year (person index = pid - 1)."""

    def __init__(
        self,
        rng: np.random.Generator,
        starts: np.ndarray,
        level_count: np.ndarray,
        moves: np.random.Generator | None = None,
    ):
        self.rng = rng
        #: draws of the year-to-year changes (repeat, summer leavers, school changes)
        self.moves = moves if moves is not None else rng
        self.starts = starts
        self.level_count = level_count
        self.parts: list[People] = []
        self.spans: list[dict[str, np.ndarray]] = []
        self.n = 0
        self.lookalikes: list[tuple[np.ndarray, np.ndarray]] = []

    def random_school(self, grade: np.ndarray) -> np.ndarray:
        lvl = LEVEL_OF_GRADE[grade]
        return self.starts[lvl] + (self.rng.random(len(grade)) * self.level_count[lvl]).astype(
            np.int64
        )

    def add_people(self, grade: np.ndarray, year: int, known_to: int) -> np.ndarray:
        self.parts.append(people.new_people(self.rng, grade, year, known_to))
        pid = np.arange(self.n, self.n + len(grade))
        self.n += len(grade)
        return pid

    def add_spans(
        self,
        pid: np.ndarray,
        year: int,
        school: np.ndarray,
        grade: np.ndarray,
        b: np.ndarray,
        e: np.ndarray,
        span_no: int,
        known_to: int,
    ) -> None:
        self.spans.append(
            {
                "pid": pid,
                "year": np.full(len(pid), year),
                "school": school,
                "grade": grade,
                "b": b,
                "e": e,
                "span_no": np.full(len(pid), span_no),
                "known_to": np.full(len(pid), known_to),
            }
        )

    def feeder_school(self, school: np.ndarray, level: np.ndarray) -> np.ndarray:
        """The school of `level` that `school` (of the level below) sends its promoted children
        to: schools of each level are spread evenly over the next level's (a feeder pattern)."""
        below = level - 1
        within = school - self.starts[below]
        return self.starts[level] + within * self.level_count[level] // self.level_count[below]

    def next_year(self, prev: _Cohort) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Last year's children who come back: (pid, grade, school) one grade up, or the same
        grade for a repeater; graduates, withdrawals and summer leavers are gone."""
        moves = self.moves
        m = len(prev.pid)
        repeat = moves.random(m) < P_REPEAT
        summer_leave = moves.random(m) < P_LEAVE_SUMMER
        change = moves.random(m) < P_CHANGE_SCHOOL
        hop_draw = moves.random(m)
        stay = (prev.category != WITHDRAW) & ~summer_leave & ((prev.grade < 12) | repeat)
        grade = np.where(repeat, prev.grade, prev.grade + 1)[stay]
        school = prev.school[stay].copy()
        promoted = LEVEL_OF_GRADE[grade] != LEVEL_OF_GRADE[prev.grade[stay]]
        lvl = LEVEL_OF_GRADE[grade]
        school[promoted] = self.feeder_school(school[promoted], lvl[promoted])
        count = self.level_count[lvl]
        hop = 1 + (hop_draw[stay] * np.maximum(count - 1, 1)).astype(np.int64)
        move = change[stay] & ~promoted & (count > 1)
        moved = self.starts[lvl] + (school - self.starts[lvl] + hop) % count
        school = np.where(move, moved, school)
        return prev.pid[stay], grade, school

    def year_of_sis(self, year: int, n: int, prev: _Cohort | None) -> _Cohort:
        """The SIS children of `year`: last year's (a grade up) plus newcomers, and their spans."""
        rng = self.rng
        if prev is None:
            grade = rng.integers(0, 13, n)
            pid = self.add_people(grade, year, people.IN_SIS)
            school = self.random_school(grade)
            p_full = 1 - P_TRANSFER - P_ENTER - P_WITHDRAW
            category = rng.choice(4, n, p=[p_full, P_TRANSFER, P_ENTER, P_WITHDRAW])
        else:
            pid_c, grade_c, school_c = self.next_year(prev)
            n_enter = round(P_ENTER * n)
            n_new = max(0, n - len(pid_c) - n_enter)
            grade_new = np.concatenate(
                [
                    np.where(np.arange(n_new) < round(n / 13), 0, rng.integers(1, 13, n_new)),
                    rng.integers(0, 13, n_enter),
                ]
            )
            pid = np.concatenate([pid_c, self.add_people(grade_new, year, people.IN_SIS)])
            grade = np.concatenate([grade_c, grade_new])
            school = np.concatenate([school_c, self.random_school(grade_new)])
            p_full = 1 - P_TRANSFER - P_WITHDRAW
            category = np.concatenate(
                [
                    rng.choice(
                        [FULL_YEAR, TRANSFER, WITHDRAW],
                        len(pid_c) + n_new,
                        p=[p_full, P_TRANSFER, P_WITHDRAW],
                    ),
                    np.full(n_enter, ENTER),
                ]
            )
        lvl = LEVEL_OF_GRADE[grade]
        lvl_count = self.level_count[lvl]
        category = np.where((category == TRANSFER) & (lvl_count < 2), FULL_YEAR, category)
        m, last = len(pid), INSTRUCTIONAL_DAYS - 1
        b = np.where(category == ENTER, rng.integers(10, 170, m), 0)
        e = np.where(category == WITHDRAW, rng.integers(10, 170, m), last)
        moved = category == TRANSFER
        t_end = rng.integers(20, 160, m)
        gap = rng.integers(1, 6, m)
        e = np.where(moved, t_end, e)
        self.add_spans(pid, year, school, grade, b, e, 0, people.IN_SIS)
        hop = 1 + (rng.random(m) * np.maximum(lvl_count - 1, 1)).astype(np.int64)
        new_school = self.starts[lvl] + (school - self.starts[lvl] + hop) % lvl_count
        mv = np.flatnonzero(moved)
        self.add_spans(
            pid[mv],
            year,
            new_school[mv],
            grade[mv],
            (t_end + gap)[mv],
            np.full(len(mv), last),
            1,
            people.IN_SIS,
        )
        return _Cohort(
            pid=pid,
            grade=grade,
            school=np.where(moved, new_school, school),
            first_school=school,
            category=category,
        )

    def strangers(self, rates: FaultRates, year: int, sis: _Cohort) -> None:
        """Children one other system knows and the SIS never saw, enrolled all year there.

        Some are look-alikes of a SIS child (a twin: same last name, birth date, school and
        grade, another first name), the case a matcher must not merge.
        """
        rng, last = self.rng, INSTRUCTIONAL_DAYS - 1
        for known_to, rate, grades in (
            (people.ONLY_ATTENDANCE, rates.att_unknown_student, np.arange(13)),
            (people.ONLY_STATE, rates.state_unknown_student, np.array(TESTED_GRADES)),
            (people.ONLY_MAP, rates.map_unknown_student, np.array(MAP_GRADES)),
        ):
            pool = np.flatnonzero(np.isin(sis.grade, grades))
            k = max(1, round(rate * len(pool))) if rate > 0 and len(pool) else 0
            grade = grades[rng.integers(0, len(grades), k)]
            school = self.random_school(grade)
            twin_of = pool[rng.integers(0, len(pool), k)] if k else np.zeros(0, dtype=np.int64)
            twin = rng.random(k) < P_LOOKALIKE
            grade = np.where(twin, sis.grade[twin_of], grade)
            school = np.where(twin, sis.first_school[twin_of], school)
            pid = self.add_people(grade, year, known_to)
            self.lookalikes.append((pid[twin], sis.pid[twin_of[twin]]))
            self.add_spans(
                pid, year, school, grade, np.zeros(k, dtype=np.int64), np.full(k, last), 0, known_to
            )

    def make_lookalikes(self, everyone: People) -> None:
        """Give each look-alike stranger their twin's last name and birth date (not first name)."""
        stranger = np.concatenate([a for a, _ in self.lookalikes])
        twin = np.concatenate([b for _, b in self.lookalikes])
        everyone.last_name[stranger] = everyone.last_name[twin]
        everyone.birth_date[stranger] = everyone.birth_date[twin]
        same_first = everyone.first_name[stranger] == everyone.first_name[twin]
        rolled = np.roll(everyone.first_name[stranger], 1)
        everyone.first_name[stranger[same_first]] = rolled[same_first]
        everyone.lookalike_of[stranger] = twin + 1


def simulate(config: GeneratorConfig, con: duckdb.DuckDBPyConnection) -> District:
    """Build the whole latent district into `con`."""
    rng = config.stream("district")
    n = config.n_students
    _install_macros(con)
    starts, level_count = _schools(con, school_counts(n))
    calendars = {y: build_calendar(y) for y in config.school_years}
    _calendar_table(con, calendars)

    population = _Population(rng, starts, level_count, config.stream("district.years"))
    cohorts: list[_Cohort] = []
    for year in config.school_years:
        cohorts.append(population.year_of_sis(year, n, cohorts[-1] if cohorts else None))
        population.strangers(config.rates, year, cohorts[-1])
    everyone = People.concat(population.parts)
    first = cohorts[0]
    people.plant_same_name_pairs(rng, everyone, first.pid, first.grade, max(1, round(n / 5000)))
    population.make_lookalikes(everyone)
    spans = population.spans
    span_cols = {k: np.concatenate([s[k] for s in spans]) for k in spans[0]}
    id_traps.plant_namesakes(
        config.stream("traps.namesakes"), everyone, span_cols, max(1, round(n / 20000))
    )
    people.assign_ids(config.stream("ids"), everyone)

    order = np.lexsort((span_cols["span_no"], span_cols["pid"], span_cols["year"]))
    span_cols = {k: v[order] for k, v in span_cols.items()}
    s = len(order)
    put_table(
        con,
        "spans",
        span_id=np.arange(1, s + 1),
        **{k: (v + 1 if k == "pid" else v) for k, v in span_cols.items()},
        key_hr=rng.random(s),
        key_ela=rng.random(s),
        key_math=rng.random(s),
    )
    con.execute(
        """
        create or replace table spans as
        select s.*, bd.date as begin_date, ed.date as end_date
        from spans s
        join calendar bd on bd.year = s.year and bd.day_idx = s.b
        join calendar ed on ed.year = s.year and ed.day_idx = s.e
        order by s.span_id
        """
    )
    district = District(
        config=config,
        con=con,
        calendars=calendars,
        people=everyone,
        n_schools=int(level_count.sum()),
    )
    district.register_people()
    _sections(con)
    _teachers(config, con)
    _withdraw_and_reenter(config, con)
    log.info(
        "district: %d schools, %d children (%d in the SIS), %d enrollment spans",
        district.n_schools,
        len(everyone),
        int((everyone.known_to == people.IN_SIS).sum()),
        s,
    )
    return district


def _install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Grade spellings: SIS `KG`,`01`…`12`; attendance and MAP `K`,`1`…`12`."""
    install_macros(con)
    con.execute(
        """
        create or replace macro grade_code(g) as
            case when g = 0 then 'KG' else lpad(cast(g as varchar), 2, '0') end;
        create or replace macro short_grade(g) as
            case when g = 0 then 'K' else cast(g as varchar) end;
        """
    )


def _sections(con: duckdb.DuckDBPyConnection) -> None:
    """Homerooms and ELA/math sections per school, year and grade, and who sits in which.

    Elementary: one group per homeroom, with the same ELA and math section. Middle and high: no
    homeroom (secondary schedules have none); ELA and math sections are drawn independently.
    """
    con.execute(
        f"""
        create or replace table span_sections as
        with sized as (
            select s.span_id, s.year, s.school, s.grade, s.key_hr, s.key_ela, s.key_math,
                   sc.level,
                   cast(ceil(count(*) over (partition by s.year, s.school, s.grade)
                             / {SECTION_MAX}.0) as integer) as n_sections
            from spans s join schools sc using (school)
            where s.known_to = 0
        ),
        ranked as (
            select *,
                   row_number() over (grade_group order by key_hr, span_id) - 1 as r_hr,
                   row_number() over (grade_group order by key_ela, span_id) - 1 as r_ela,
                   row_number() over (grade_group order by key_math, span_id) - 1 as r_math
            from sized
            window grade_group as (partition by year, school, grade)
        )
        select span_id, year, school, grade, 'HR' as kind, r_hr % n_sections + 1 as section_no
        from ranked
        where level = 0
        union all
        select span_id, year, school, grade, 'ELA',
               (case when level = 0 then r_hr else r_ela end) % n_sections + 1
        from ranked
        union all
        select span_id, year, school, grade, 'MATH',
               (case when level = 0 then r_hr else r_math end) % n_sections + 1
        from ranked
        """
    )


def _teachers(config: GeneratorConfig, con: duckdb.DuckDBPyConnection) -> None:
    """One teacher per class; elementary homeroom teachers teach their group's ELA and math.

    Middle/high ELA and math teachers take five sections each and the first homerooms; the
    remaining homerooms go to homeroom-only teachers (of subjects not exported). A teacher is
    (school, role, seq) and keeps the same ID in every year.
    """
    per_teacher = f"{SECTIONS_PER_TEACHER}.0"
    con.execute(
        f"""
        create or replace table classes as
        with c as (
            select distinct ss.year, ss.school, ss.grade, ss.kind, ss.section_no, sc.level,
                   sc.sourced_id as school_sid
            from span_sections ss join schools sc using (school)
        ),
        numbered as (
            select *,
                   row_number() over (school_kind order by grade, section_no) - 1 as idx,
                   count(*) over school_kind as n_kind
            from c
            window school_kind as (partition by year, school, kind)
        ),
        subject_teachers as (
            select year, school,
                   cast(ceil(max(n_kind) filter (where kind = 'ELA') / {per_teacher})
                        as integer) as n_ela_t,
                   cast(ceil(max(n_kind) filter (where kind = 'MATH') / {per_teacher})
                        as integer) as n_math_t
            from numbered group by year, school
        ),
        elementary_groups as (
            select year, school, grade, section_no, idx as group_idx
            from numbered where kind = 'HR' and level = 0
        )
        select n.year, n.school, n.grade, n.kind, n.section_no, n.school_sid,
               case
                   when n.level = 0 then 'E'
                   when n.kind = 'ELA' then 'ELA'
                   when n.kind = 'MATH' then 'MATH'
                   when n.idx < t.n_ela_t then 'ELA'
                   when n.idx < t.n_ela_t + t.n_math_t then 'MATH'
                   else 'HR'
               end as teacher_role,
               case
                   when n.level = 0 then g.group_idx
                   when n.kind in ('ELA', 'MATH') then n.idx // {SECTIONS_PER_TEACHER}
                   when n.idx < t.n_ela_t then n.idx
                   when n.idx < t.n_ela_t + t.n_math_t then n.idx - t.n_ela_t
                   else n.idx - t.n_ela_t - t.n_math_t
               end as teacher_seq
        from numbered n
        join subject_teachers t using (year, school)
        left join elementary_groups g
               on n.level = 0 and g.year = n.year and g.school = n.school
              and g.grade = n.grade and g.section_no = n.section_no
        """
    )
    _teacher_posts(config, con)
    keys = con.execute(
        "select distinct school, teacher_role, teacher_seq, occupant from teacher_posts "
        "order by all"
    ).fetchnumpy()
    rng = config.stream("teachers")
    k = len(keys["school"])
    group = rng.choice(5, k, p=[0.78, 0.12, 0.04, 0.03, 0.03])
    male = rng.random(k) < 0.25
    first = np.where(
        male, people.pick_names(rng, names.MALE, group), people.pick_names(rng, names.FEMALE, group)
    )
    last = people.pick_names(rng, names.LAST, group)
    put_table(
        con,
        "teacher_keys",
        school=keys["school"],
        teacher_role=keys["teacher_role"],
        teacher_seq=keys["teacher_seq"],
        occupant=keys["occupant"],
        sourced_id=np.char.add("T", (rng.choice(90_000, k, replace=False) + 10_000).astype(str)),
        educator_id=(rng.choice(90_000_000, k, replace=False) + 10_000_000).astype(str),
        first_name=first,
        last_name=last,
        sex=np.where(male, "male", "female"),
    )
    con.execute(
        f"""
        create or replace table teachers as
        with base as (
            select *,
                   lower(regexp_replace(strip_accents(first_name), '[^A-Za-z]', '', 'g')) || '.'
                   || lower(regexp_replace(strip_accents(last_name), '[^A-Za-z]', '', 'g'))
                   as handle
            from teacher_keys
        ),
        numbered as (
            select *, row_number() over (partition by handle order by sourced_id) as k from base
        )
        select * exclude (k),
               handle || case when k > 1 then cast(k as varchar) else '' end as username
        from numbered;
        create or replace table teachers as
        select *, username || '@{EMAIL_DOMAIN}' as email from teachers;
        drop table teacher_keys;
        create or replace table classes as
        select c.*, t.sourced_id as teacher_sid,
               'CL' || c.year || '-' || c.school_sid || '-' || c.kind || '-' || grade_code(c.grade)
                   || '-' || lpad(c.section_no::varchar, 2, '0') as class_sid,
               100 + dense_rank() over (partition by c.year, c.school order by t.sourced_id) as room
        from classes c
        join teacher_posts p using (year, school, teacher_role, teacher_seq)
        join teachers t using (school, teacher_role, teacher_seq, occupant)
        order by class_sid;
        """
    )


def _teacher_posts(config: GeneratorConfig, con: duckdb.DuckDBPyConnection) -> None:
    """`teacher_posts(year, school, teacher_role, teacher_seq, occupant)`: which teacher holds a
    post each year. The first year's holder is occupant 0; each later year the post changes hands
    with P_TEACHER_TURNOVER (the leaver leaves the district, a new teacher joins). Drawn from a
    stream of its own: a one-year district's teachers are as before."""
    years = config.school_years
    posts = con.execute(
        "select distinct school, teacher_role, teacher_seq from classes order by all"
    ).fetchnumpy()
    k = len(posts["school"])
    turnover = config.stream("teachers.turnover").random((k, len(years))) < P_TEACHER_TURNOVER
    turnover[:, 0] = False
    occupant = np.cumsum(turnover, axis=1)
    put_table(
        con,
        "teacher_posts",
        year=np.tile(np.array(years), k),
        school=np.repeat(posts["school"], len(years)),
        teacher_role=np.repeat(posts["teacher_role"], len(years)),
        teacher_seq=np.repeat(posts["teacher_seq"], len(years)),
        occupant=occupant.reshape(-1),
    )
    con.execute(
        """
        create or replace table teacher_posts as
        select p.* from teacher_posts p
        semi join classes c using (year, school, teacher_role, teacher_seq)
        """
    )


def _withdraw_and_reenter(config: GeneratorConfig, con: duckdb.DuckDBPyConnection) -> None:
    """Split a few secondary full-year spans in two at the same school, GAP_DAYS school days
    apart: the student withdrew and re-entered, and is in the same classes again afterwards.

    Secondary schools have no homeroom, so the SIS export shows this only as a gap in the
    student's class enrollments; the pipeline must split the span there (and count no enrolled
    day, absence or test in the gap). Drawn from a stream of its own, after the sections, so the
    rest of the district is the same as without it.
    """
    rng = config.stream("district.reentry")
    last = INSTRUCTIONAL_DAYS - 1
    rows = con.execute(
        f"""
        select span_id from (
            select s.span_id, s.b, s.e, sc.level,
                   count(*) over (partition by s.pid, s.year) as spans_in_year
            from spans s join schools sc using (school) where s.known_to = 0
        )
        where level > 0 and b = 0 and e = {last} and spans_in_year = 1
        order by span_id
        """
    ).fetchnumpy()
    span_id = np.asarray(rows["span_id"])
    pick = span_id[rng.random(len(span_id)) < P_GAP]
    k = len(pick)
    gap = rng.integers(GAP_DAYS[0], GAP_DAYS[1], k)
    cut = rng.integers(20, last - 20 - GAP_DAYS[1], k)
    first_new = scalar(con, "select max(span_id) from spans") + 1
    put_table(
        con,
        "reentries",
        span_id=pick,
        new_span_id=np.arange(first_new, first_new + k),
        cut=cut,
        back=cut + gap + 1,
    )
    con.execute(
        """
        create or replace table spans as
        select * from spans
        union all
        select s.* replace (r.new_span_id as span_id, 1 as span_no, r.back as b)
        from spans s join reentries r using (span_id);
        update spans set e = r.cut from reentries r where spans.span_id = r.span_id;
        create or replace table spans as
        select s.* replace (bd.date as begin_date, ed.date as end_date)
        from spans s
        join calendar bd on bd.year = s.year and bd.day_idx = s.b
        join calendar ed on ed.year = s.year and ed.day_idx = s.e
        order by s.span_id;
        insert into span_sections
        select r.new_span_id, ss.* exclude (span_id)
        from span_sections ss join reentries r using (span_id);
        drop table reentries;
        """
    )
    log.info("district: %d secondary students withdraw and re-enter", k)
