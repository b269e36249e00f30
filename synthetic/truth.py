"""The ground truth beside the exports (`truth/`): who every record really is, and what a correct
pipeline must count. Computed from the generator's own latent tables, never from the files.

`students.parquet` — one row per true child (`true_student_id`), with the key each system knows
them by: `sis_local_id` (NULL when the SIS never saw the child), `state_id` (the child's real
SASID), `att_stunum` (NULL when the attendance system does not know them), `map_student_id`,
`known_to` (`sis`, or the one other system that knows a child the SIS never saw), names, birth
date, sex, programs, `same_name_group` (the planted pairs of different children sharing first
name, last name and birth date), `attendance_review_trap` (see student_attendance.parquet),
`lookalike_of` (for a child the SIS never saw: the SIS child
whose last name, birth date, school and grade they share, but not the first name),
`namesake_of` (for a child only MAP knows: the SIS child whose first name, last name, sex and
birth date they share, of their grade and year, who sits the same MAP tests; id_traps'
namesake trap: their results wait for identity review, never join the SIS child's) and
`local_id_trap_victim` / `state_id_trap_victim` (the child whose real ID this child's transposed
ID is).

`records.parquet` — one row per data row of users.csv (students and teachers), demographics.csv,
enrollments.csv (students and teachers), programs.csv, attendance_students.csv, every exceptions
file, every state file and AssessmentResults.csv: `source_file` (name only), `line_number`
(physical line; header = 1, data row k on line k + 1), `true_student_id` (NULL for a teacher row),
`faults` (comma-separated tags from `faults.TAGS`, '' when clean; the second copy of an exact
duplicate carries `duplicate` besides its original's tags) and `mistyped_id_owner` (for a
mistyped ID: the SIS child whose real ID the typed one is, else NULL).

`state_results.parquet` — one row per valid (format-valid, non-duplicate) result of the spring
state test, whoever the child is: `true_student_id`, `school_year`, `school_code` (8-digit state
code of the school the test was taken at), `subject` (ELA, MATH), `level` (the simulated NM, PM,
M, E: a state layout writes it as its own level code, splitting one where the state has five)
and `is_proficient` (M or E). Joined to records.parquet by the child, year and subject, each
staged state row must carry this level and proficiency (tests/integration/test_state_bands.py).

`student_attendance.parquet` — one row per SIS child, school and school year
(`true_student_id`, `sis_local_id`, `school` sourcedId, `school_year`): `n_days_enrolled` (the
instructional days of the child's spans there), `n_days_absent_excused` (E, M),
`n_days_absent_unexcused` (A), `n_days_out_of_school_suspension` (S) and their sum
`n_days_absent`, over the valid exception rows (as `valid_exception_rows_sis`); in-school
suspension is present. `attendance_review_trap`: the child's attendance record was written so
that no identity rule links it (no SisNumber, names swapped): their absences wait in identity
review, and the marts must show the child as attendance incomplete, never as present.

`programs.parquet` — every program span of programs.csv as the SIS knows it: `true_student_id`,
`program` (ELL, SPED, FRL), `begin_date`, `end_date` (NULL while open); some end mid-year.

`program_years.parquet` — per child, school year and program subgroup (`is_english_learner`,
`has_disability`, `is_low_income`) in which a program span is open on some day of the year:
`open_any_day` (true: the marts' default rule) and `open_last_day` (open on the year's last day).

Per school year (the trend marts' truth; with one year, each holds that year):

`student_years.parquet` — one row per SIS child and school year they were enrolled in:
`true_student_id`, `sis_local_id`, `school_year`, `grade` (0 = kindergarten; one per year),
`first_school` / `last_school` (SIS sourcedIds of the first and last span), `schools` (list),
`n_schools`, `first_day` / `last_day` (enrolled), `n_days_enrolled`, `left_during_year` (the last
span ends before the last instructional day), `prior_year_grade` (NULL when not enrolled the year
before), `is_repeating_grade` (same grade as the year before; NULL without one),
`is_new_to_district` (no earlier year in the district; NULL in the first generated year),
`race_ethnicity` (federal rule: Hispanic first, then two or more races; as dim_student),
`sex` (Male/Female), and the program subgroups `is_english_learner`, `has_disability`,
`is_low_income` under that year's default rule (a program span open on any day of the year, as
program_years' `open_any_day`).

The trend files count by `subgroup` / `subgroup_value`: `all`/`all`, `grade` ('0'..'12'),
`race_ethnicity`, `sex`, and each program subgroup ('true'/'false'), with the child's values of
that school year (student_years).

`trend_chronic_absence.parquet` — `school_year`, `school` (SIS sourcedId; NULL = the district,
per student across schools), `subgroup`, `subgroup_value`, `n_students` (at least 10 enrolled
days there), `n_chronically_absent` (absent, A E M S, on at least 10% of those days; the same
definition as counts.json `chronic_absent_students` and `by_school`), `chronic_absence_rate`,
`n_days_enrolled`, `n_days_absent`.

`trend_proficiency.parquet` — `school_year`, `school_code` (8-digit state code; NULL = the
district), `subject` (ELA, MATH), `subgroup`, `subgroup_value`, `n_tested`, `n_proficient`
(levels M or E), `proficiency_rate`, `gap_to_others` (the proficiency rate of the other tested
students of the same year, school and subject minus this cell's; NULL for `all`). Over the
valid (format-valid, non-duplicate) state rows of SIS children, the rows
`state_by_school_program_subgroup` counts.

`trend_cohorts.parquet` — each school year's grade cohort (the SIS children enrolled in
`cohort_grade` in `cohort_school_year`) followed into each later generated year:
`cohort_school_year`, `cohort_grade`, `school_year`, `years_since`, `subject`, `n_in_cohort`,
`n_enrolled` (cohort children enrolled that year), `n_on_grade` (in `cohort_grade +
years_since`; repeaters are not), `n_tested` / `n_proficient` (their valid state rows).

`map_fall_to_fall.parquet` — per SIS child, MAP subject and school year with a fall test that
year and the year before: `true_student_id`, `subject` (Mathematics, Reading), `school_year`,
`school` (sourcedId of the later fall test), `prior_fall_rit`, `fall_rit`, `growth`; over the
MAP rows `map_valid_rows_sis` counts. `trend_map_growth.parquet` — the same by `school_year`,
`school` (NULL = the district), `subject`, subgroup: `n_students`, `mean_prior_fall_rit`,
`mean_fall_rit`, `mean_growth`.

`counts.json` — the figures a correct pipeline reproduces:

- `school_years`: ending years, oldest first.
- `schools`: [{sourced_id, name, level, state_code, att_code}] — how the SIS, the state file and
  the attendance system (`SchoolCode`) name each school; att_code is 100 + the number in the
  SIS sourcedId (SCH01 -> 101), written as the district's confirmed rows of
  config/crosswalks/school_crosswalk.csv.
- `sis`:
  `schools` (orgs of type school); `students` (distinct SIS students); `teachers`; `courses`
  (rows of courses.csv); `sections` (classes.csv rows, homerooms included);
  `school_enrollments` (distinct student homeroom enrollment rows = enrollment spans);
  `section_enrollments` (distinct student enrollment rows of every class type);
  `calendar_days` (distinct rows of calendar.csv); `instructional_days` (per school per year:
  180); `instructional_school_days` (calendar.csv rows of type instructional).
- `attendance`:
  `student_days` = sum over SIS students' enrollment spans of the instructional days inside the
  span (the row count of the daily attendance fact), `student_days_by_year`;
  `valid_exception_rows_sis` = exception rows that are format-valid (no bad_field_count,
  malformed_date or unmapped_code), not the second copy of a duplicate, and whose true child is in
  the SIS; `days_by_category` over those rows: `unexcused_absence` (A), `excused_absence` (E, M),
  `out_of_school_suspension` (S), `in_school_suspension` (I), `tardy` (T), `early_departure` (D),
  `school_activity` (F);
  `chronic_absent_students` {year: n}: SIS students with at least 10 enrolled days in the year
  whose absent days (A, E, M, S among those valid rows) are at least 10% of their enrolled days,
  counted per student across schools; `students_with_10plus_days` {year: n};
  `review_trap_students`: SIS children planted with an unlinkable attendance record; `by_school`
  [{school_year, school (SIS sourcedId), students_with_10plus_days, days_enrolled, days_absent,
  chronic_absent_students}]: the same per school on that school's days alone (a transfer
  counts at each school; a re-entry's two spans at one school count once, its gap not at all).
- `assessment`:
  `state_valid_rows_sis` = state rows that are format-valid (no bad_field_count), not a duplicate
  copy, of a child in the SIS (with or without a usable SASID); `state_proficient_rows_sis` those
  at level M or E; `state_proficient_by_school_subject`: [{school_year, school_code (8-digit state
  code), subject, n_tested, n_proficient}] over every format-valid, non-duplicate row the file
  attributes to the school, whoever the child (a school's tested count does not depend on
  linking the child to the SIS); `state_by_school_program_subgroup`: [{school_year, school_code,
  subject, subgroup (is_english_learner, has_disability, is_low_income), in_subgroup, n_tested,
  n_proficient}] over the rows of children in the SIS (a subgroup needs the child), a child in a
  subgroup when one of its programs is open on any day of that school year (the marts' default
  rule); `map_valid_rows_sis` = MAP rows without a malformed date, not a duplicate copy, of a
  child in the SIS.
- `identity`: `same_name_birthdate_pairs`; `namesakes` (children planted by the namesake
  trap); `mistyped_ids_owned_by_another_child` {file: rows
  whose mistyped ID is another SIS child's real ID}.
- `files`: {file name: {`data_rows`, one count per fault tag}} for every file written.
- `benchmarks` (`benchmark_plan.truth`): `results` [{assessment, subject, school_year, season,
  measures, n_events}]: the test events a correct load keeps, each with `measures` results;
  `quarantined_lines` {file: lines a load quarantines}. Empty without benchmark files.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import duckdb
import numpy as np

from synthetic import benchmark_plan
from synthetic.assessment import PROFICIENT_LEVELS
from synthetic.attendance import ABSENCE_CODES, CATEGORY
from synthetic.district import District
from synthetic.faults import FORMAT_TAGS, TAGS
from synthetic.people import IN_SIS, KNOWN_TO_NAMES
from synthetic.school_calendar import INSTRUCTIONAL_DAYS
from synthetic.tables import put_table, scalar, table_columns

log = logging.getLogger(__name__)

CHRONIC_THRESHOLD = 0.10
CHRONIC_MIN_DAYS = 10


def _union(tables: list[str], select: str) -> str:
    return " union all ".join(f"select {select} from {t}" for t in tables)


def write_truth(district: District, out: Path, written: dict[str, int]) -> dict:
    """Write the truth files (module docstring) into `out`; returns the counts."""
    out.mkdir(parents=True, exist_ok=True)
    _students(district, out)
    _records(district, out)
    _programs(district, out)
    _program_years(district, out)
    counts = _counts(district, written)
    _student_attendance(district, out)
    _student_years(district, out)
    _trend_chronic_absence(district, out)
    _trend_proficiency(district, out)
    _trend_cohorts(district, out)
    _map_fall_to_fall(district, out)
    _state_results(district, out)
    (out / "counts.json").write_text(
        json.dumps(counts, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return counts


def _write_parquet(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> None:
    """DuckDB's COPY streams and spills; a whole Arrow table of a million students' records
    (25 million rows) went out of memory."""
    target = str(path).replace("'", "''")
    con.execute(f"copy ({sql}) to '{target}' (format parquet, compression zstd)")


def _students(district: District, out: Path) -> None:
    con = district.con
    known = " ".join(f"when {i} then '{name}'" for i, name in enumerate(KNOWN_TO_NAMES))
    put_table(
        con,
        "traps",
        pid=np.arange(1, len(district.people) + 1),
        local_victim=district.trap_victim["local"] + 1,
        state_victim=district.trap_victim["state"] + 1,
    )
    _write_parquet(
        con,
        f"""
        with last_span as (
            select pid, min(year) as first_school_year, max(year) as last_school_year,
                   arg_max(grade, year * 10 + span_no) as last_grade,
                   arg_max(school, year * 10 + span_no) as last_school
            from spans group by pid
        )
        select p.pid as true_student_id,
               case p.known_to {known} end as known_to,
               p.known_to = {IN_SIS} as in_sis,
               case when p.known_to = {IN_SIS} then i.local_id end as sis_local_id,
               i.state_id,
               case when p.known_to in (0, 1) then i.stunum end as att_stunum,
               case when p.known_to in (0, 3) then i.local_id end as map_student_id,
               p.first_name, p.middle_name, p.last_name, p.birth_date, p.sex,
               p.hispanic, p.americanIndianOrAlaskaNative, p.asian, p.blackOrAfricanAmerican,
               p.nativeHawaiianOrOtherPacificIslander, p.white, p.two_or_more,
               p.ell, p.sped, p.frl,
               l.first_school_year, l.last_school_year, l.last_grade,
               sc.sourced_id as last_school,
               nullif(p.same_name_group, 0) as same_name_group,
               nullif(p.lookalike_of, 0) as lookalike_of,
               nullif(p.namesake_of, 0) as namesake_of,
               case when t.local_victim > 0 then t.local_victim end as local_id_trap_victim,
               case when t.state_victim > 0 then t.state_victim end as state_id_trap_victim,
               r.pid is not null as attendance_review_trap
        from people p
        join ids i using (pid)
        join last_span l using (pid)
        join schools sc on sc.school = l.last_school
        join traps t using (pid)
        left join att_review_trap r using (pid)
        order by p.pid
        """,
        out / "students.parquet",
    )


def _programs(district: District, out: Path) -> None:
    _write_parquet(
        district.con,
        """
        select pid as true_student_id, programCode as program,
               cast(beginDate as date) as begin_date, cast(nullif(endDate, '') as date) as end_date
        from sis_programs order by pid, programCode
        """,
        out / "programs.parquet",
    )


#: Program codes of programs.csv and the subgroup each puts a child in (crosswalk program_codes).
PROGRAM_SUBGROUPS = {"ELL": "is_english_learner", "SPED": "has_disability", "FRL": "is_low_income"}


def _program_years(district: District, out: Path) -> None:
    """`program_years`: per child, school year and program subgroup, whether a program span is
    open on any day of the year and on its last day (written as program_years.parquet)."""
    con = district.con
    programs = " union all ".join(
        f"select '{c}' as code, '{g}' as subgroup" for c, g in PROGRAM_SUBGROUPS.items()
    )
    con.execute(
        f"""
        create or replace table program_years as
        with years as (
            select year, min(date) as first_day, max(date) as last_day from calendar group by year
        ),
        spans as (
            select p.pid, g.subgroup, cast(p.beginDate as date) as b,
                   cast(nullif(p.endDate, '') as date) as e
            from sis_programs p join ({programs}) g on g.code = p.programCode
        )
        select s.pid as true_student_id, y.year as school_year, s.subgroup,
               bool_or(s.b <= y.last_day and coalesce(s.e, y.last_day) >= y.first_day)
                   as open_any_day,
               bool_or(s.b <= y.last_day and coalesce(s.e, y.last_day) >= y.last_day)
                   as open_last_day
        from spans s cross join years y
        group by all
        having bool_or(s.b <= y.last_day and coalesce(s.e, y.last_day) >= y.first_day)
        order by all
        """
    )
    _write_parquet(con, "from program_years", out / "program_years.parquet")


def _state_by_program_subgroup(con: duckdb.DuckDBPyConnection, state_valid: str) -> list[dict]:
    """Tested and proficient per school, subject and program subgroup (any day of the year)."""
    rows = con.execute(
        f"""
        with results as (select pid, school_year, school_code, subject, level from {state_valid}
                         and known_to = {IN_SIS})
        select r.school_year, r.school_code, r.subject, g.subgroup,
               coalesce(o.open_any_day, false) as in_subgroup,
               count(*) as n_tested,
               count(*) filter (where r.level in {PROFICIENT_LEVELS}) as n_proficient
        from results r
        cross join (select unnest({list(PROGRAM_SUBGROUPS.values())}) as subgroup) g
        left join program_years o
            on o.true_student_id = r.pid and o.school_year = r.school_year
            and o.subgroup = g.subgroup
        group by all order by all
        """
    ).fetchall()
    keys = ("school_year", "school_code", "subject", "subgroup", "in_subgroup", "n_tested")
    return [dict(zip((*keys, "n_proficient"), r, strict=True)) for r in rows]


def _records(district: District, out: Path) -> None:
    con = district.con
    parts = []
    for name, table in district.exports:
        columns = table_columns(con, table)
        owner = "owner" if "owner" in columns else "null::bigint"
        # A data row's line is `rid + 1` under a header line; a headerless file gives its own.
        line = "line_number" if "line_number" in columns else "rid + 1"
        parts.append(
            f"select '{name}' as source_file, {line} as line_number, pid as true_student_id, "
            f"faults, {owner} as mistyped_id_owner from {table}"
        )
    _write_parquet(
        con,
        f"select * from ({' union all '.join(parts)}) order by source_file, line_number",
        out / "records.parquet",
    )


def _student_attendance(district: District, out: Path) -> None:
    """student_attendance.parquet: per SIS child, school and year, the days a correct pipeline
    counts (enrolled days of the spans; absences from the valid exception rows, by kind)."""
    con = district.con
    _write_parquet(
        con,
        f"""
        with enrolled as (
            select pid, year, school, cast(sum(e - b + 1) as bigint) as n_days_enrolled from spans
            where known_to = {IN_SIS} group by all
        ),
        absent as (
            select pid, year, school,
                   count(*) filter (where category = 'excused_absence') as excused,
                   count(*) filter (where category = 'unexcused_absence') as unexcused,
                   count(*) filter (where category = 'out_of_school_suspension') as suspension
            from valid_exceptions group by all
        )
        select e.pid as true_student_id, i.local_id as sis_local_id,
               sc.sourced_id as school, e.year as school_year, e.n_days_enrolled,
               coalesce(a.excused, 0) as n_days_absent_excused,
               coalesce(a.unexcused, 0) as n_days_absent_unexcused,
               coalesce(a.suspension, 0) as n_days_out_of_school_suspension,
               coalesce(a.excused + a.unexcused + a.suspension, 0) as n_days_absent,
               r.pid is not null as attendance_review_trap
        from enrolled e
        left join absent a using (pid, year, school)
        join ids i using (pid)
        join schools sc on sc.school = e.school
        left join att_review_trap r using (pid)
        order by e.pid, e.year, sc.sourced_id
        """,
        out / "student_attendance.parquet",
    )


def _counts(district: District, written: dict[str, int]) -> dict:
    con = district.con
    years = district.config.school_years
    exc_tables = [f"att_exc_{y}" for y in years]
    state_tables = [f"state_{y}" for y in years]
    invalid = " or ".join(f"f_{t}" for t in FORMAT_TAGS)
    cat_cases = " ".join(f"when '{c}' then '{cat}'" for c, cat in CATEGORY.items())
    con.execute(
        f"""
        create or replace table valid_exceptions as
        select pid, year, school, true_code,
               case true_code {cat_cases} end as category
        from ({_union(exc_tables, "*")})
        where known_to = {IN_SIS} and not f_duplicate and not ({invalid})
        """
    )
    con.execute(
        f"""
        create or replace table student_year_attendance as
        with enrolled as (
            select pid, year, sum(e - b + 1) as days from spans
            where known_to = {IN_SIS} group by pid, year
        ),
        absent as (
            select pid, year, count(*) as days from valid_exceptions
            where true_code in ({", ".join(f"'{c}'" for c in ABSENCE_CODES)})
            group by pid, year
        )
        select e.pid, e.year, e.days as enrolled, coalesce(a.days, 0) as absent
        from enrolled e left join absent a using (pid, year)
        """
    )
    per_year = con.execute(
        f"""
        select year,
               count(*) filter (where enrolled >= {CHRONIC_MIN_DAYS}) as with_min_days,
               count(*) filter (where enrolled >= {CHRONIC_MIN_DAYS}
                                  and absent >= {CHRONIC_THRESHOLD} * enrolled) as chronic,
               sum(enrolled) as student_days
        from student_year_attendance group by year order by year
        """
    ).fetchall()
    attendance_by_school = con.execute(
        f"""
        with enrolled as (
            select pid, year, school, sum(e - b + 1) as days from spans
            where known_to = {IN_SIS} group by all
        ),
        absent as (
            select pid, year, school, count(*) as days from valid_exceptions
            where true_code in ({", ".join(f"'{c}'" for c in ABSENCE_CODES)})
            group by all
        ),
        per_school as (
            select e.year, e.school, e.days as enrolled, coalesce(a.days, 0) as absent
            from enrolled e left join absent a using (pid, year, school)
        )
        select p.year, sc.sourced_id,
               count(*) filter (where p.enrolled >= {CHRONIC_MIN_DAYS}),
               sum(p.enrolled), sum(p.absent),
               count(*) filter (where p.enrolled >= {CHRONIC_MIN_DAYS}
                                  and p.absent >= {CHRONIC_THRESHOLD} * p.enrolled)
        from per_school p join schools sc using (school)
        group by all order by all
        """
    ).fetchall()
    by_category = dict.fromkeys(sorted(set(CATEGORY.values())), 0)
    by_category.update(
        con.execute("select category, count(*) from valid_exceptions group by category").fetchall()
    )
    state_all = f"({_union(state_tables, '*')}) where not f_duplicate and not f_bad_field_count"
    state_valid = f"{state_all} and known_to = {IN_SIS}"
    by_school = con.execute(
        f"""
        select school_year, school_code, subject,
               count(*) as n_tested,
               count(*) filter (where level in {PROFICIENT_LEVELS}) as n_proficient
        from {state_all}
        group by all order by all
        """
    ).fetchall()

    files: dict[str, dict[str, int]] = {}
    for name, rows in sorted(written.items()):
        files[name] = {"data_rows": rows, **dict.fromkeys(TAGS, 0)}
    owned = {}
    for name, table in district.exports:
        cols = table_columns(con, table)
        sums = ", ".join(f"coalesce(sum(f_{t}::int), 0)" if f"f_{t}" in cols else "0" for t in TAGS)
        values = con.execute(f"select count(*), {sums} from {table}").fetchall()[0]
        files[name] = {"data_rows": values[0], **dict(zip(TAGS, values[1:], strict=True))}
        if "owner" in cols:
            owned[name] = scalar(con, f"select count(*) from {table} where owner is not null")

    schools = con.execute(
        """
        select sourced_id, name, level_name, state_code, att_code from schools order by school
        """
    ).fetchall()
    return {
        "school_years": years,
        "schools": [
            dict(zip(("sourced_id", "name", "level", "state_code", "att_code"), r, strict=True))
            for r in schools
        ],
        "sis": {
            "schools": scalar(con, "select count(*) from schools"),
            "students": scalar(con, f"select count(*) from people where known_to = {IN_SIS}"),
            "teachers": scalar(con, "select count(*) from teachers"),
            "courses": written["courses.csv"],
            "sections": scalar(con, "select count(*) from classes"),
            "school_enrollments": scalar(
                con, f"select count(*) from spans where known_to = {IN_SIS}"
            ),
            "section_enrollments": scalar(con, "select count(*) from span_sections"),
            "calendar_days": written["calendar.csv"],
            "instructional_days": INSTRUCTIONAL_DAYS,
            "instructional_school_days": scalar(
                con,
                "select count(*) from schools cross join calendar where day_type = 'instructional'",
            ),
        },
        "attendance": {
            "student_days": sum(int(r[3]) for r in per_year),
            "student_days_by_year": {str(r[0]): int(r[3]) for r in per_year},
            "valid_exception_rows_sis": scalar(con, "select count(*) from valid_exceptions"),
            "days_by_category": by_category,
            "chronic_absent_students": {str(r[0]): r[2] for r in per_year},
            "students_with_10plus_days": {str(r[0]): r[1] for r in per_year},
            "review_trap_students": scalar(con, "select count(*) from att_review_trap"),
            "by_school": [
                dict(
                    zip(
                        (
                            "school_year",
                            "school",
                            "students_with_10plus_days",
                            "days_enrolled",
                            "days_absent",
                            "chronic_absent_students",
                        ),
                        (int(r[0]), r[1], *map(int, r[2:])),
                        strict=True,
                    )
                )
                for r in attendance_by_school
            ],
        },
        "assessment": {
            "state_valid_rows_sis": scalar(con, f"select count(*) from {state_valid}"),
            "state_proficient_rows_sis": scalar(
                con, f"select count(*) from {state_valid} and level in {PROFICIENT_LEVELS}"
            ),
            "state_proficient_by_school_subject": [
                {
                    "school_year": r[0],
                    "school_code": r[1],
                    "subject": r[2],
                    "n_tested": r[3],
                    "n_proficient": r[4],
                }
                for r in by_school
            ],
            "state_by_school_program_subgroup": _state_by_program_subgroup(con, state_all),
            "map_valid_rows_sis": scalar(
                con,
                f"""select count(*) from map_results where known_to = {IN_SIS}
                    and not f_duplicate and not f_malformed_date""",
            ),
        },
        "identity": {
            "same_name_birthdate_pairs": scalar(
                con, "select count(distinct same_name_group) from people where same_name_group > 0"
            ),
            "namesakes": scalar(con, "select count(*) from people where namesake_of > 0"),
            "mistyped_ids_owned_by_another_child": owned,
        },
        "files": files,
        "benchmarks": benchmark_plan.truth(district),
    }


#: Federal race/ethnicity of a child (Hispanic first, then two or more races), as dim_student.
RACE_ETHNICITY_SQL = """
    case when hispanic then 'Hispanic or Latino'
         when two_or_more or (americanIndianOrAlaskaNative::int + asian::int
              + blackOrAfricanAmerican::int + nativeHawaiianOrOtherPacificIslander::int
              + white::int) > 1 then 'Two or More Races'
         when americanIndianOrAlaskaNative then 'American Indian or Alaska Native'
         when asian then 'Asian'
         when blackOrAfricanAmerican then 'Black or African American'
         when nativeHawaiianOrOtherPacificIslander then 'Native Hawaiian or Other Pacific Islander'
         when white then 'White' else 'Not Reported' end"""
#: The subgroups of the trend files: (subgroup, SQL of the child-year's value over
#: student_years), 'all' being everyone.
TREND_SUBGROUPS = (
    ("all", "'all'"),
    ("grade", "cast(grade as varchar)"),
    ("race_ethnicity", "race_ethnicity"),
    ("sex", "sex"),
    ("is_english_learner", "cast(is_english_learner as varchar)"),
    ("has_disability", "cast(has_disability as varchar)"),
    ("is_low_income", "cast(is_low_income as varchar)"),
)


def _state_results(district: District, out: Path) -> None:
    """state_results.parquet: each valid state result's simulated level (module docstring)."""
    tables = [f"state_{y}" for y in district.config.school_years]
    rows = _union(
        tables, "pid, school_year, school_code, subject, level, f_duplicate, f_bad_field_count"
    )
    _write_parquet(
        district.con,
        f"""
        select pid as true_student_id, school_year, school_code, subject, level,
               level in {PROFICIENT_LEVELS} as is_proficient
        from ({rows}) where not f_duplicate and not f_bad_field_count
        order by school_year, true_student_id, subject, school_code
        """,
        out / "state_results.parquet",
    )


def _student_years(district: District, out: Path) -> None:
    """student_years.parquet: per SIS child and school year, grade, schools and subgroups."""
    con = district.con
    flags = ", ".join(
        f"coalesce(bool_or(o.open_any_day) filter (where o.subgroup = '{g}'), false) as {g}"
        for g in PROGRAM_SUBGROUPS.values()
    )
    con.execute(
        f"""
        create or replace table student_years as
        with years as (
            select s.pid, s.year, any_value(s.grade) as grade,
                   arg_min(sc.sourced_id, s.b * 10 + s.span_no) as first_school,
                   arg_max(sc.sourced_id, s.b * 10 + s.span_no) as last_school,
                   list(distinct sc.sourced_id order by sc.sourced_id) as schools,
                   min(s.begin_date) as first_day, max(s.end_date) as last_day,
                   cast(sum(s.e - s.b + 1) as bigint) as n_days_enrolled,
                   max(s.e) < {INSTRUCTIONAL_DAYS - 1} as left_during_year
            from spans s join schools sc using (school)
            where s.known_to = {IN_SIS}
            group by s.pid, s.year
        ),
        programs as (
            select true_student_id as pid, school_year as year, {flags}
            from program_years o group by all
        )
        select y.pid as true_student_id, i.local_id as sis_local_id, y.year as school_year,
               y.grade, y.first_school, y.last_school, y.schools, len(y.schools) as n_schools,
               y.first_day, y.last_day, y.n_days_enrolled, y.left_during_year,
               prior.grade as prior_year_grade,
               y.grade = prior.grade as is_repeating_grade,
               case when y.year > (select min(year) from calendar)
                    then y.year = min(y.year) over (partition by y.pid) end
                   as is_new_to_district,
               {RACE_ETHNICITY_SQL} as race_ethnicity,
               case p.sex when 'male' then 'Male' when 'female' then 'Female'
                    else 'Not Reported' end as sex,
               {", ".join(f"coalesce(g.{g}, false) as {g}" for g in PROGRAM_SUBGROUPS.values())}
        from years y
        left join years prior on prior.pid = y.pid and prior.year = y.year - 1
        join people p on p.pid = y.pid
        join ids i on i.pid = y.pid
        left join programs g on g.pid = y.pid and g.year = y.year
        order by y.pid, y.year
        """
    )
    _write_parquet(con, "from student_years", out / "student_years.parquet")


def _by_subgroups(select: str, measures: str, keys: str) -> str:
    """`select` (rows with the student_years columns) counted by `keys` and each subgroup."""
    return " union all ".join(
        f"select {keys}, '{name}' as subgroup, {value} as subgroup_value, {measures} "
        f"from ({select}) group by all"
        for name, value in TREND_SUBGROUPS
    )


def _trend_chronic_absence(district: District, out: Path) -> None:
    """trend_chronic_absence.parquet: chronic absence per year, school and subgroup."""
    con = district.con
    absence = ", ".join(f"'{c}'" for c in ABSENCE_CODES)
    rows = f"""
        with enrolled as (
            select pid, year, school, sum(e - b + 1) as days from spans
            where known_to = {IN_SIS} group by all
        ),
        absent as (
            select pid, year, school, count(*) as days from valid_exceptions
            where true_code in ({absence}) group by all
        ),
        per_school as (
            select e.pid, e.year, sc.sourced_id as school, e.days as enrolled,
                   coalesce(a.days, 0) as absent
            from enrolled e left join absent a using (pid, year, school)
            join schools sc on sc.school = e.school
        ),
        both_levels as (
            select * from per_school
            union all
            select pid, year, null, enrolled, absent from student_year_attendance
        )
        select b.school, b.enrolled, b.absent, y.*
        from both_levels b
        join student_years y on y.true_student_id = b.pid and y.school_year = b.year
    """
    measures = f"""
        count(*) filter (where enrolled >= {CHRONIC_MIN_DAYS}) as n_students,
        count(*) filter (where enrolled >= {CHRONIC_MIN_DAYS}
                           and absent >= {CHRONIC_THRESHOLD} * enrolled) as n_chronically_absent,
        cast(sum(enrolled) as bigint) as n_days_enrolled, cast(sum(absent) as bigint)
            as n_days_absent
    """
    con.execute(f"create or replace temp table trend_absence_rows as {rows}")
    _write_parquet(
        con,
        f"""
        select school_year, school, subgroup, subgroup_value, n_students, n_chronically_absent,
               n_chronically_absent / nullif(n_students, 0) as chronic_absence_rate,
               n_days_enrolled, n_days_absent
        from ({_by_subgroups("from trend_absence_rows", measures, "school_year, school")})
        order by school_year, school nulls first, subgroup, subgroup_value
        """,
        out / "trend_chronic_absence.parquet",
    )


def _state_valid_sis(district: District) -> str:
    """The valid state rows of SIS children with their student_years columns (a table, made
    once: the trend files read it several times)."""
    con = district.con
    if scalar(con, "select count(*) from duckdb_tables() where table_name = 'trend_state_rows'"):
        return "trend_state_rows"
    tables = [f"state_{y}" for y in district.config.school_years]
    con.execute(f"""
        create or replace temp table trend_state_rows as
        select r.school_code, r.subject, r.level in {PROFICIENT_LEVELS} as is_proficient, y.*
        from ({
        _union(
            tables,
            "pid, school_year, school_code, subject, level, known_to, "
            "f_duplicate, f_bad_field_count",
        )
    }) r
        join student_years y on y.true_student_id = r.pid and y.school_year = r.school_year
        where r.known_to = {IN_SIS} and not r.f_duplicate and not r.f_bad_field_count
    """)
    return "trend_state_rows"


def _trend_proficiency(district: District, out: Path) -> None:
    """trend_proficiency.parquet: tested, proficient and the gap per year, school, subject and
    subgroup."""
    rows = _state_valid_sis(district)
    both = f"from {rows} union all select * replace (null as school_code) from {rows}"
    measures = "count(*) as n_tested, count(*) filter (where is_proficient) as n_proficient"
    _write_parquet(
        district.con,
        f"""
        with cells as ({_by_subgroups(both, measures, "school_year, school_code, subject")}),
        totals as (
            select school_year, school_code, subject, n_tested as all_tested,
                   n_proficient as all_proficient
            from cells where subgroup = 'all'
        )
        select c.school_year, c.school_code, c.subject, c.subgroup, c.subgroup_value,
               c.n_tested, c.n_proficient, c.n_proficient / c.n_tested as proficiency_rate,
               case when c.subgroup <> 'all' and t.all_tested > c.n_tested
                    then (t.all_proficient - c.n_proficient) / (t.all_tested - c.n_tested)
                         - c.n_proficient / c.n_tested end as gap_to_others
        from cells c join totals t using (school_year, subject)
        where c.school_code is not distinct from t.school_code
        order by c.school_year, c.school_code nulls first, c.subject, c.subgroup, c.subgroup_value
        """,
        out / "trend_proficiency.parquet",
    )


def _trend_cohorts(district: District, out: Path) -> None:
    """trend_cohorts.parquet: each year's grade cohort followed through the later years."""
    rows = _state_valid_sis(district)
    _write_parquet(
        district.con,
        f"""
        with cohort as (
            select true_student_id, school_year as cohort_school_year, grade as cohort_grade
            from student_years
        ),
        followed as (
            select c.cohort_school_year, c.cohort_grade, y.school_year,
                   count(*) as n_enrolled,
                   count(*) filter (where y.grade = c.cohort_grade + y.school_year
                                                  - c.cohort_school_year) as n_on_grade
            from cohort c join student_years y using (true_student_id)
            where y.school_year >= c.cohort_school_year
            group by all
        ),
        sizes as (
            select cohort_school_year, cohort_grade, count(*) as n_in_cohort
            from cohort group by all
        ),
        tested as (
            select c.cohort_school_year, c.cohort_grade, r.school_year, r.subject,
                   count(*) as n_tested, count(*) filter (where r.is_proficient) as n_proficient
            from cohort c join {rows} r using (true_student_id)
            where r.school_year >= c.cohort_school_year
            group by all
        ),
        subjects as (select distinct subject from tested)
        select f.cohort_school_year, f.cohort_grade, f.school_year,
               f.school_year - f.cohort_school_year as years_since, s.subject, z.n_in_cohort,
               f.n_enrolled, f.n_on_grade, coalesce(t.n_tested, 0) as n_tested,
               coalesce(t.n_proficient, 0) as n_proficient
        from followed f
        join sizes z using (cohort_school_year, cohort_grade)
        cross join subjects s
        left join tested t
            on t.cohort_school_year = f.cohort_school_year and t.cohort_grade = f.cohort_grade
           and t.school_year = f.school_year and t.subject = s.subject
        order by all
        """,
        out / "trend_cohorts.parquet",
    )


def _map_fall_to_fall(district: District, out: Path) -> None:
    """map_fall_to_fall.parquet (per child) and trend_map_growth.parquet (by subgroup)."""
    con = district.con
    con.execute(
        f"""
        create or replace table map_fall_to_fall as
        with falls as (
            select m.pid, m.year, m.Subject as subject, sc.sourced_id as school,
                   cast(m.TestRITScore as integer) as rit
            from map_results m join schools sc on sc.name = m.SchoolName
            where m.known_to = {IN_SIS} and not m.f_duplicate and not m.f_malformed_date
              and m.TermName like 'Fall %'
        )
        select f.pid as true_student_id, f.subject, f.year as school_year, f.school,
               p.rit as prior_fall_rit, f.rit as fall_rit, f.rit - p.rit as growth
        from falls f join falls p
          on p.pid = f.pid and p.subject = f.subject and p.year = f.year - 1
        order by all
        """
    )
    _write_parquet(con, "from map_fall_to_fall", out / "map_fall_to_fall.parquet")
    con.execute(
        """
        create or replace temp table trend_map_rows as
        select g.school, g.subject, g.prior_fall_rit, g.fall_rit, g.growth, y.*
        from map_fall_to_fall g
        join student_years y using (true_student_id, school_year)
        """
    )
    both = "from trend_map_rows union all select * replace (null as school) from trend_map_rows"
    measures = """count(*) as n_students, avg(prior_fall_rit) as mean_prior_fall_rit,
                  avg(fall_rit) as mean_fall_rit, avg(growth) as mean_growth"""
    _write_parquet(
        con,
        f"""
        select * from ({_by_subgroups(both, measures, "school_year, school, subject")})
        order by school_year, school nulls first, subject, subgroup, subgroup_value
        """,
        out / "trend_map_growth.parquet",
    )
