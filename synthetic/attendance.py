"""The attendance system's exports: its own student list and one exceptions file per school year.

Windows-1252, CRLF, `MM/DD/YYYY` dates, its own 7-digit student numbers and 3-digit school codes.
Each child has a latent absence propensity (skewed, so that roughly one in seven is chronically
absent) and a tardy propensity; every enrolled instructional day gets at most one exception code.
Faults: the clerk-typed `SisNumber` is often empty and sometimes mistyped (at times into another
real child's ID), names with typos, swapped or replaced by a nickname, children the SIS never saw;
the review trap: a few often-absent SIS children whose record no rule can link (no SisNumber,
names swapped), so their absences wait in identity review (`att_review_trap`, in the truth);
in the exceptions unmapped code letters, malformed dates, rows with a wrong field count and exact
duplicates.

`plan_*` draws everything while the children's IDs can still change (the ID traps are planted
afterwards); `write_*` renders the files with the final IDs.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from synthetic import faults, id_traps
from synthetic.district import District
from synthetic.people import IN_SIS, ONLY_ATTENDANCE
from synthetic.tables import columns, finalize_export, put_table, write_csv

log = logging.getLogger(__name__)

STUDENT_COLUMNS = columns(
    "StuNum,LastName,FirstName,MiddleInit,BirthDate,Gender,Grade,SchoolCode,SisNumber"
)
EXCEPTION_COLUMNS = columns("StuNum,SchoolCode,AbsenceDate,AttCode,Minutes,Comment")
STUDENTS_FILE = "attendance_students.csv"

#: Code letters in the order of the generator's code index, and what each one means.
CODES = "AEMSTDFI"
ABSENCE_CODES = "AEMS"
CATEGORY = {
    "A": "unexcused_absence",
    "E": "excused_absence",
    "M": "excused_absence",
    "S": "out_of_school_suspension",
    "I": "in_school_suspension",
    "T": "tardy",
    "D": "early_departure",
    "F": "school_activity",
}
UNMAPPED_CODES = ("X", "Q", "Z")
DAY_MINUTES = 390
P_EARLY_DISMISSAL, P_FIELD_TRIP, P_IN_SCHOOL_SUSPENSION = 0.006, 0.004, 0.01
P_COMMENT = 0.4
#: The review trap's children are absent on at least this share of days (about 20 of 180).
REVIEW_TRAP_MIN_ABSENCE_RATE = 0.12

#: Comment texts per code letter (no names; Windows-1252 quotes and dashes on purpose).
COMMENTS: dict[str, tuple[str, ...]] = {
    "A": ("No call", "Unverified", "No note received", "Parent not reached – left voicemail"),
    "E": (
        "Parent called – sick",
        "Sick, parent called",
        "Note from home",
        "Family emergency",
        "Religious holiday",
        "Court appearance",
        "“Family trip” – approved by principal",
    ),
    "M": (
        "Doctor’s note",
        "Dentist appt.",
        "Medical – fever",
        "Nurse sent home",
        'Nurse: "stomach ache"',
    ),
    "S": ("Out-of-school suspension – day 1", "OSS per assistant principal", "Suspension, 2 days"),
    "I": ("In-school suspension", "ISS – Room 104"),
    "T": ("Bus late", "Overslept", "Car trouble", "Late – traffic", "Appointment 8:00–9:15"),
    "D": (
        "Dismissed early – parent pickup",
        "Dentist appt.",
        "Left at 12:30 – sick",
        "Early release",
    ),
    "F": (
        "Field trip – science museum",
        "Chorus festival",
        "Athletics – away game",
        "Café visit (French club)",
    ),
}
#: Text that puts an unquoted comma into a Comment (the wrong-field-count fault).
_COMMA_COMMENT = "Sick, parent called"


def exceptions_file(year: int) -> str:
    return f"attendance_exceptions_{year - 1}-{year}.csv"


def plan_students(district: District) -> None:
    """Draw the rows of attendance_students.csv and their faults (table `att_students_plan`)."""
    con, r = district.con, district.config.rates
    rng = district.config.stream("attendance.students")
    con.execute(
        f"""
        create or replace table att_students_plan as
        with last_span as (
            select pid, arg_max(school, year * 10 + span_no) as school,
                   arg_max(grade, year * 10 + span_no) as grade
            from spans where known_to in ({IN_SIS}, {ONLY_ATTENDANCE}) group by pid
        )
        select row_number() over (order by i.stunum) as seq, p.pid, p.known_to,
               p.first_name, p.last_name, p.middle_name, p.birth_date, p.sex,
               l.grade, sc.att_code
        from last_span l join people p using (pid) join ids i using (pid)
        join schools sc on sc.school = l.school
        """
    )
    plan = con.execute("select pid, known_to from att_students_plan order by seq").fetchnumpy()
    pid, known_to = np.asarray(plan["pid"]), np.asarray(plan["known_to"])
    n = len(pid)
    in_sis = known_to == IN_SIS
    missing = faults.draw(rng, n, r.att_missing_sis_number, in_sis)
    # drawn among the typed numbers, so that the share of all rows is the configured rate
    typed_share = max(1e-9, 1 - r.att_missing_sis_number)
    mistyped = faults.draw(rng, n, r.att_mistyped_sis_number / typed_share, in_sis & ~missing)
    collide = mistyped & (rng.random(n) < r.mistyped_id_collision_share)
    name_draws = faults.name_fault_draws(
        rng,
        district.people.first_name[pid - 1],
        typo=r.att_name_typo,
        swapped=r.att_swapped_names,
        nickname=r.att_nickname,
    )
    trap = _review_trap(district, pid, in_sis & ~missing & ~mistyped)
    missing |= trap
    name_draws["f_swapped_names"] |= trap
    name_draws["f_name_typo"] &= ~trap
    name_draws["f_nickname"] &= ~trap
    put_table(con, "att_review_trap", pid=pid[trap])
    put_table(
        con,
        "att_students_draws",
        seq=np.arange(1, n + 1),
        f_unknown_student=known_to == ONLY_ATTENDANCE,
        f_missing_id=missing,
        f_mistyped_id=mistyped,
        collide=collide,
        **name_draws,
    )
    con.execute(
        """
        create or replace table att_students_plan as
        select * from att_students_plan join att_students_draws using (seq) order by seq
        """
    )


def _review_trap(district: District, pid: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Rows of children often absent whose record the identity rules cannot link: no SisNumber
    and first and last name swapped (a probable match, held in identity review). The issue this
    traps: such a child showed 0 absences, every day present. Drawn from a stream of its own,
    so the other draws of the attendance files do not move."""
    rate = district.config.rates.att_review_trap
    rng = district.config.stream("attendance.review_trap")
    people = district.people
    often_absent = people.absence_rate[pid - 1] >= REVIEW_TRAP_MIN_ABSENCE_RATE
    distinct_names = people.first_name[pid - 1] != people.last_name[pid - 1]
    candidates = np.flatnonzero(eligible & often_absent & distinct_names)
    trap = np.zeros(len(pid), dtype=bool)
    if rate <= 0 or not candidates.size:
        return trap
    k = min(candidates.size, max(1, round(rate * int(eligible.sum()))))
    trap[rng.choice(candidates, size=k, replace=False)] = True
    return trap


def plan_exceptions(district: District) -> None:
    """Draw every student-day exception and the exception-file faults (table `att_exc_plan`)."""
    con, r = district.con, district.config.rates
    rng = district.config.stream("attendance.days")
    spans = con.execute(
        f"""
        select span_id, pid, year, b, e from spans
        where known_to in ({IN_SIS}, {ONLY_ATTENDANCE}) order by span_id
        """
    ).fetchnumpy()
    people = district.people
    pidx = np.asarray(spans["pid"]) - 1
    years = district.config.school_years
    year_idx = np.asarray(spans["year"]) - years[0]
    year_factor = np.exp(rng.normal(0, 0.25, (len(people), len(years)))).astype(np.float32)
    p_abs = people.absence_rate[pidx] * year_factor[pidx, year_idx]
    p_abs = np.clip(p_abs, 1e-6, 0.8).astype(np.float32)
    prone = people.suspension_prone[pidx]
    p_present_exc = (
        people.tardy_rate[pidx]
        + P_EARLY_DISMISSAL
        + P_FIELD_TRIP
        + np.where(prone, P_IN_SCHOOL_SUSPENSION, 0.0)
    ).astype(np.float32)
    threshold = p_abs + (1 - p_abs) * p_present_exc

    b, e = np.asarray(spans["b"]), np.asarray(spans["e"])
    n_days = e - b + 1
    span_of_day = np.repeat(np.arange(len(b), dtype=np.int32), n_days)
    u = rng.random(len(span_of_day), dtype=np.float32)
    hit = np.flatnonzero(u < threshold[span_of_day])
    s = span_of_day[hit]
    offset = hit - np.concatenate([[0], np.cumsum(n_days)[:-1]])[s]
    del span_of_day
    day = b[s] + offset
    u_hit = u[hit]
    del u

    absent = u_hit < p_abs[s]
    v = u_hit / p_abs[s]  # uniform in [0, 1) among absences
    w = (u_hit - p_abs[s]) / (1 - p_abs[s])  # uniform in [0, threshold) among present exceptions
    sus = np.where(prone[s], 0.15, 0.0)
    rest = (v - sus) / (1 - sus)
    absence_code = np.select([v < sus, rest < 0.40, rest < 0.75], [3, 0, 1], 2)  # S, A, E, else M
    tardy = people.tardy_rate[pidx][s]
    present_code = np.select(
        [w < tardy, w < tardy + P_EARLY_DISMISSAL, w < tardy + P_EARLY_DISMISSAL + P_FIELD_TRIP],
        [4, 5, 6],
        7,  # T, D, F, else I
    )
    code = np.where(absent, absence_code, present_code)
    minutes = np.select(
        [code == 4, code == 5],
        [rng.integers(5, 46, len(code)), rng.integers(30, 181, len(code))],
        DAY_MINUTES,
    )
    comment_u = rng.random(len(code))
    has_comment = rng.random(len(code)) < P_COMMENT
    put_table(
        con,
        "att_exc_days",
        span_id=np.asarray(spans["span_id"])[s],
        day_idx=day,
        code=np.array(list(CODES))[code],
        minutes=minutes,
        comment_u=np.where(has_comment, comment_u, -1.0),
    )
    comment_code, comment_k, comment_text, comment_n = [], [], [], []
    for c, texts in COMMENTS.items():
        for i, t in enumerate(texts):
            comment_code.append(c)
            comment_k.append(i)
            comment_text.append(t)
            comment_n.append(len(texts))
    put_table(
        con,
        "comments",
        code=np.array(comment_code),
        k=np.array(comment_k),
        text=np.array(comment_text),
        n=np.array(comment_n),
    )
    con.execute(
        """
        create or replace table att_exc_rows as
        select row_number() over (partition by s.year order by c.date, sc.att_code, i.stunum)
                   as seq,
               s.pid, s.year, s.school, p.known_to, c.date, sc.att_code, i.stunum, d.code,
               d.minutes, coalesce(cm.text, '') as comment
        from att_exc_days d
        join spans s using (span_id)
        join people p using (pid)
        join ids i using (pid)
        join schools sc on sc.school = s.school
        join calendar c on c.year = s.year and c.day_idx = d.day_idx
        left join comments cm
               on cm.code = d.code and cm.k = cast(floor(d.comment_u * cm.n) as integer)
        """
    )
    counts = con.execute(
        "select year, count(*) from att_exc_rows group by year order by year"
    ).fetchall()
    draws = []
    for year, n in counts:
        bad = faults.draw(rng, n, r.exc_bad_field_count)
        draws.append(
            {
                "year": np.full(n, year),
                "seq": np.arange(1, n + 1),
                "dup": faults.draw(rng, n, r.exc_duplicate),
                "f_unmapped_code": faults.draw(rng, n, r.exc_unmapped_code),
                "shown_code": np.array(UNMAPPED_CODES)[rng.integers(0, len(UNMAPPED_CODES), n)],
                "f_malformed_date": faults.draw(rng, n, r.exc_malformed_date),
                "date_form": rng.integers(0, 3, n),
                "f_bad_field_count": bad,
                "bad_fields": np.where(bad, np.where(rng.random(n) < 0.6, 1, -1), 0),
            }
        )
    put_table(con, "att_exc_draws", **{k: np.concatenate([d[k] for d in draws]) for k in draws[0]})
    con.execute(
        f"""
        create or replace table att_exc_plan as
        select x.*, d.* exclude (year, seq),
               x.known_to = {ONLY_ATTENDANCE} as f_unknown_student
        from att_exc_rows x join att_exc_draws d using (year, seq)
        """
    )
    con.execute("drop table att_exc_days; drop table att_exc_rows")
    log.info("attendance: %d exception rows planned", sum(n for _, n in counts))


def write_school_crosswalk(district: District, folder: Path) -> Path:
    """The district's confirmed school crosswalk rows for its attendance system's codes (101 for
    SCH01, ...), as a steward would write them: no SIS field holds these codes, so they cannot be
    suggested. Written into the data folder's config/crosswalks/ (replacing an earlier run's)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = district.con.execute(
        "select att_code, sourced_id from schools order by school"
    ).fetchall()
    path = folder / "school_crosswalk.csv"
    lines = ["source_system,vendor_school,school_sourced_id,note"]
    lines += [f"attendance,{code},{school},attendance system school code" for code, school in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_students(district: District, out: Path) -> int:
    con = district.con
    mistyped = con.execute(
        "select seq, pid from att_students_plan where f_mistyped_id order by seq"
    ).fetchnumpy()
    id_traps.typed_ids_table(district, "att_typed", mistyped, kind="local", digit_change_share=0.5)
    con.execute(
        f"""
        create or replace table att_students_base as
        with shown as ({faults.shown_names_sql("att_students_plan")})
        select seq, pid, f_unknown_student, f_missing_id, f_mistyped_id, f_name_typo,
               f_swapped_names, f_nickname, t.owner,
               i.stunum as StuNum, shown_last as LastName, shown_first as FirstName,
               left(middle_name, 1) as MiddleInit, strftime(birth_date, '%m/%d/%Y') as BirthDate,
               case sex when 'male' then 'M' else 'F' end as Gender,
               short_grade(grade) as Grade, att_code as SchoolCode,
               case when known_to <> {IN_SIS} or f_missing_id then ''
                    when f_mistyped_id then t.typed
                    else i.local_id end as SisNumber
        from shown join ids i using (pid) left join att_typed t using (seq)
        """
    )
    finalize_export(con, "att_students_base", "att_students")
    con.execute("drop table att_students_plan")
    district.exports.append((STUDENTS_FILE, "att_students"))
    return write_csv(
        con, "att_students", out / STUDENTS_FILE, STUDENT_COLUMNS, encoding="cp1252", newline="\r\n"
    )


def write_exceptions(district: District, out: Path) -> dict[str, int]:
    con = district.con
    rows = {}
    for year in district.config.school_years:
        table = f"att_exc_{year}"
        con.execute(
            f"""
            create or replace table {table}_base as
            select seq, pid, year, school, code as true_code, known_to, dup,
                   f_unknown_student, f_unmapped_code, f_malformed_date, f_bad_field_count,
                   bad_fields,
                   stunum as StuNum, att_code as SchoolCode,
                   case when not f_malformed_date then strftime(date, '%m/%d/%Y')
                        when date_form = 0 then '13/45/' || year(date)
                        when date_form = 1 then strftime(date, '%Y-%m-%d')
                        else '' end as AbsenceDate,
                   case when f_unmapped_code then shown_code else code end as AttCode,
                   minutes as Minutes,
                   case when bad_fields = 1 and comment = '' then '{_COMMA_COMMENT}'
                        when bad_fields = 1 and not contains(comment, ',')
                             then comment || ', see office'
                        else comment end as Comment
            from att_exc_plan where year = {year}
            """
        )
        finalize_export(con, f"{table}_base", table)
        name = exceptions_file(year)
        district.exports.append((name, table))
        rows[name] = write_csv(
            con,
            table,
            out / name,
            EXCEPTION_COLUMNS,
            encoding="cp1252",
            newline="\r\n",
            bad_column="Comment",
        )
    con.execute("drop table att_exc_plan")
    return rows
