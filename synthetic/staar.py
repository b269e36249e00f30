"""The spring state test as Texas STAAR student data files (`--state staar`): fixed-width.

Grades 3-8 take STAAR reading language arts and mathematics: one 4,000-character record per
child, year and school with both subjects side by side, as TEA merges a student's tests
(`STAAR_3-8_<year>_<district>.txt`), without a header. The simulated grade 10 takes the
end-of-course tests, English II for ELA and Algebra I for mathematics: one 2,000-character
record per test (`STAAR_EOC_<year>_<district>.txt`). Fields sit where the layouts read them
(connectors/layouts/assessment/staar_*.yaml, TEA's positions), each record ends in TEA's period
and lines end in CRLF. The campus number is the school's state code with a leading zero, nine
digits like TEA's county-district-campus number (school codes match without leading zeros).

Levels are the simulated four one for one (NM Did Not Meet, PM Approaches, M Meets, E Masters),
written as TEA's three flags Meets, Approaches, Masters; every test is scored (score code S). The
scale scores are the generator's own round bands (3-8 1000-2000 with cuts 1350/1450/1550, EOC
3000-6000 with 3550/4000/4330), not TEA's: the layouts' crosswalk bands are blank, so staging
never checks them. The row faults are those of the other state files: a missing or mistyped
Texas unique student ID, name faults, a duplicate record, and a record of the wrong length (a
suffix written past the last name, or a record cut short), which the parser rejects by line. A
grades 3-8 record carries the faults of its first subject.
"""

from __future__ import annotations

from pathlib import Path

from connectors.layout import FixedWidth, load_layouts
from synthetic import faults
from synthetic.config import DISTRICT_CODE, DISTRICT_NAME
from synthetic.district import District
from synthetic.state_layouts import (
    SCALED_SCORE_SQL,
    _bands_table,
    _level_index_sql,
    _people_extra,
    _typed_ids,
)
from synthetic.tables import _transcode, finalize_export

#: Each level's lowest score, from Approaches up, between the lowest and highest obtainable.
STAAR_3_8_BANDS = (1000, 1350, 1450, 1550, 2000)
STAAR_EOC_BANDS = (3000, 3550, 4000, 4330, 6000)
#: The end-of-course test a simulated grade 10 subject is written as.
EOC_CODE = {"ELA": "E2", "MATH": "A1"}
#: Meets, Approaches, Masters flags of each simulated level (NM, PM, M, E).
LEVEL_FLAGS = ("000", "010", "110", "111")
#: TEA's six-digit district number and the campus number of a school (its state code).
TX_DISTRICT = DISTRICT_CODE.rjust(6, "0")
STAAR_3_8 = "staar_3_8_student_data"
STAAR_EOC = "staar_eoc_student_data"


def staar_3_8_file(year: int) -> str:
    return f"STAAR_3-8_{year}_{TX_DISTRICT}.txt"


def staar_eoc_file(year: int) -> str:
    return f"STAAR_EOC_{year}_{TX_DISTRICT}.txt"


def _spec(layout: str) -> FixedWidth:
    [found] = [x.fixed_width for x in load_layouts() if x.layout == layout]
    assert found is not None
    return found


def record_sql(spec: FixedWidth, values: dict[str, str]) -> str:
    """SQL of one record: each field's value (SQL) left-aligned in its width, blanks between,
    TEA's period last; a row with `bad_fields` 1 gets ' JR' after the last name (3 characters
    too long), -1 loses its last 50 characters (cut short)."""
    parts, at = [], 1
    for name, value in sorted(values.items(), key=lambda item: spec.fields[item[0]].start):
        field = spec.fields[name]
        if field.start > at:
            parts.append(f"repeat(' ', {field.start - at})")
        value = f"left(coalesce(cast({value} as varchar), ''), {field.width})"
        text = f"rpad({value}, {field.width}, ' ')"
        if name == "last_name":
            text = f"{text} || case when bad_fields = 1 then ' JR' else '' end"
        parts.append(text)
        at = field.end + 1
    parts.append(f"repeat(' ', {spec.record_length - at})")
    parts.append(f"'{spec.record_end or ''}'")
    line = " || ".join(parts)
    return f"case when bad_fields = -1 then left({line}, {spec.record_length - 50}) else {line} end"


def _common(year: int) -> dict[str, str]:
    """The student fields both files share (rows: `shown` names, `ids` i, `people_extra`)."""
    return {
        "administration_date": f"'04{year % 100:02d}'",
        "esc_region_number": "'99'",
        "county_district_campus_number": "'0' || state_code",
        "district_name": f"upper('{DISTRICT_NAME}')",
        "campus_name": "upper(school_name)",
        "last_name": "shown_last",
        "first_name": "shown_first",
        "date_of_birth": "strftime(birth_date, '%m%d%Y')",
        "tx_unique_student_id": (
            "case when f_missing_id then '' when f_mistyped_id then t.typed else i.state_id end"
        ),
    }


def _write_lines(district: District, table: str, path: Path) -> int:
    """The table's `line` column, in `rid` order, as a CRLF text file without a header."""
    con = district.con
    path.parent.mkdir(parents=True, exist_ok=True)
    lf = path.with_name(f".{path.name}.lf")
    quoted = str(lf).replace("'", "''")
    con.execute(
        f"copy (select line from \"{table}\" order by rid) to '{quoted}' "
        "(format csv, header false, quote '', escape '', delimiter '\x1f')"
    )
    partial = path.with_name(f".{path.name}.partial")
    _transcode(lf, partial, "utf-8", "\r\n")
    lf.unlink()
    partial.replace(path)
    [(rows,)] = con.execute(f'select count(*) from "{table}"').fetchall()
    return rows


def write_staar(district: District, out: Path) -> dict[str, int]:
    """Per year, the grades 3-8 file and the end-of-course file; `state_<year>` holds both
    files' results one row per subject (the truth)."""
    con = district.con
    bands = {
        "ELA": {g: STAAR_3_8_BANDS for g in range(3, 9)} | {10: STAAR_EOC_BANDS},
        "MATH": {g: STAAR_3_8_BANDS for g in range(3, 9)} | {10: STAAR_EOC_BANDS},
    }
    _bands_table(district, "staar_bands", bands)
    _people_extra(district)
    flags = " ".join(f"when {k} then '{code}'" for k, code in enumerate(LEVEL_FLAGS))
    scaled = f"""
        select r.*, {SCALED_SCORE_SQL} as scale, case b.k {flags} end as flags
        from {{rows}} r join staar_bands b
          on b.b_subject = r.subject and b.b_grade = r.grade
         and b.k = {_level_index_sql("score")}"""
    con.execute(
        f"""
        create or replace table staar_eoc_plan as
        {scaled.format(rows="(from state_plan where grade = 10)")};
        create or replace table staar_rows as
        with firsts as (
            select *, min(seq) over (partition by year, pid, school) as first_seq
            from ({scaled.format(rows="(from state_plan where grade between 3 and 8)")})
        )
        select * exclude (first_seq),
               dense_rank() over (partition by year order by first_seq) as wseq
        from firsts;
        create or replace table staar_results as
        select year, wseq, subject, score, level, scale, flags from staar_rows;
        create or replace table staar_plan as
        select * exclude (seq, subject, score, level, scale, flags) rename (wseq as seq)
        from staar_rows
        qualify row_number() over (partition by year, wseq order by seq) = 1;
        drop table staar_rows; drop table state_plan;
        """
    )
    wide, eoc = _spec(STAAR_3_8), _spec(STAAR_EOC)
    written = {}
    for year in district.config.school_years:
        table = f"state_{year}"
        common = _common(year)
        subjects = ", ".join(
            f"max(case when r.subject = '{s}' then {v} end) as {p}_{c}"
            for s, p in (("ELA", "rla"), ("MATH", "math"))
            for c, v in (("code", "'S'"), ("scale", "r.scale"), ("flags", "r.flags"))
        )
        line = record_sql(
            wide,
            common
            | {
                "grade_level_tested": "lpad(grade::varchar, 2, '0')",
                "score_code_reading_language_arts": "rla_code",
                "score_code_mathematics": "math_code",
                "reading_language_arts_scale_score": "rla_scale",
                "reading_language_arts_levels": "rla_flags",
                "mathematics_scale_score": "math_scale",
                "mathematics_levels": "math_flags",
            },
        )
        grades = f"staar_{year}_3_8"
        _typed_ids(district, f"{grades}_typed", "staar_plan", year)
        con.execute(
            f"""
            create or replace table {grades}_base as
            with shown as ({faults.shown_names_sql(f"(from staar_plan where year = {year})")}),
            subjects as (
                select r.wseq as seq, {subjects}
                from staar_results r where r.year = {year} group by r.wseq
            )
            select seq, pid, school, known_to, dup, bad_fields,
                   f_unknown_student, f_missing_id, f_mistyped_id, f_name_typo, f_swapped_names,
                   f_bad_field_count, t.owner, year as school_year, state_code as school_code,
                   {line} as line
            from shown join ids i using (pid)
            join (select school, name as school_name from schools) using (school)
            join subjects using (seq)
            join people_extra using (pid)
            left join {grades}_typed t using (seq)
            """
        )
        finalize_export(con, f"{grades}_base", grades)
        line = record_sql(
            eoc,
            common
            | {
                "grade_level_code": "lpad(grade::varchar, 2, '0')",
                "end_of_course_code": f"case subject when 'ELA' then '{EOC_CODE['ELA']}' "
                f"else '{EOC_CODE['MATH']}' end",
                "score_code": "'S'",
                "scale_score": "scale",
                "levels": "flags",
            },
        )
        tests = f"staar_{year}_eoc"
        _typed_ids(district, f"{tests}_typed", "staar_eoc_plan", year)
        con.execute(
            f"""
            create or replace table {tests}_base as
            with shown as (
                {faults.shown_names_sql(f"(from staar_eoc_plan where year = {year})")}
            )
            select seq, pid, subject, level, school, known_to, dup, bad_fields,
                   f_unknown_student, f_missing_id, f_mistyped_id, f_name_typo, f_swapped_names,
                   f_bad_field_count, t.owner, year as school_year, state_code as school_code,
                   {line} as line
            from shown join ids i using (pid)
            join (select school, name as school_name from schools) using (school)
            join people_extra using (pid)
            left join {tests}_typed t using (seq)
            """
        )
        finalize_export(con, f"{tests}_base", tests)
        con.execute(
            f"""
            create or replace table {table} as
            select w.rid, w.pid, w.known_to, w.school_year, w.school_code, w.f_duplicate,
                   w.f_bad_field_count, r.subject, r.level
            from {grades} w join staar_results r on r.year = {year} and r.wseq = w.seq
            union all
            select rid, pid, known_to, school_year, school_code, f_duplicate,
                   f_bad_field_count, subject, level
            from {tests}
            """
        )
        for name, part in ((staar_3_8_file(year), grades), (staar_eoc_file(year), tests)):
            # A headerless file: a record's line is its `rid` (truth.records reads `line_number`).
            con.execute(f'alter table "{part}" add column line_number bigint')
            con.execute(f'update "{part}" set line_number = rid')
            district.exports.append((name, part))
            written[name] = _write_lines(district, part, out / name)
    con.execute(
        "drop table staar_plan; drop table staar_results; drop table staar_eoc_plan; "
        "drop table staar_bands; drop table people_extra"
    )
    return written
