"""The SIS snapshot: a OneRoster 1.1 CSV bulk export (plus programs.csv and calendar.csv), or
the same snapshot as a 1.2 export (`oneroster12`).

Column lists follow docs/districtwide_layouts.md to the letter. The snapshot is taken a week
after the last day of the last school year and holds every year's sessions, courses, classes,
enrollments and calendar: the enrollment history the SIS keeps, from which a year's grade and
schools are read (users.csv `grades` and `orgSourcedIds` are the student's as of the snapshot,
their last year in the district). A district that archived one export per year holds the same
history spread over the snapshots. Faults: a few students without a state ID (`identifier`), a
few exact duplicate rows in users.csv and enrollments.csv.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import numpy as np

from synthetic import faults, oneroster12
from synthetic.config import (
    DISTRICT_CODE,
    DISTRICT_NAME,
    DISTRICT_SOURCED_ID,
    EMAIL_DOMAIN,
)
from synthetic.district import District
from synthetic.people import RACE_FLAGS
from synthetic.tables import columns, finalize_export, put_table, scalar, write_csv

log = logging.getLogger(__name__)


COLUMNS = {
    "manifest.csv": columns("propertyName,value"),
    "orgs.csv": columns("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId"),
    "academicSessions.csv": columns(
        "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear"
    ),
    "courses.csv": columns(
        "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
        "orgSourcedId,subjects,subjectCodes"
    ),
    "classes.csv": columns(
        "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
        "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods"
    ),
    "users.csv": columns(
        "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
        "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password"
    ),
    "enrollments.csv": columns(
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
        "primary,beginDate,endDate"
    ),
    "demographics.csv": columns(
        "sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,"
        "blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,"
        "demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,"
        "stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus"
    ),
    "programs.csv": columns("studentSourcedId,programCode,beginDate,endDate"),
    "calendar.csv": columns("schoolSourcedId,date,dayType"),
}
#: Files named in the manifest as bulk; every other OneRoster 1.1 file is absent.
_BULK = ("academicSessions", "classes", "courses", "demographics", "enrollments", "orgs", "users")
_ABSENT = ("categories", "classResources", "courseResources", "lineItems", "resources", "results")
_KIND = {
    "HR": ("Homeroom", "", ""),
    "ELA": ("English Language Arts", "English Language Arts", "01"),
    "MATH": ("Mathematics", "Mathematics", "02"),
}


def export_timestamp(district: District) -> str:
    """dateLastModified of every row: 02:00 UTC a week after the last school day."""
    last = district.calendars[district.config.school_years[-1]].last_day
    return f"{last + timedelta(days=7)}T02:00:00.000Z"


def write_sis(district: District, out: Path) -> dict[str, int]:
    """Write every SIS file into `out` (landing/sis); returns data rows per file."""
    con = district.con
    ts = export_timestamp(district)
    years = district.config.school_years
    rows: dict[str, int] = {}
    version = district.config.sis
    oneroster12.define_user_ref(district, version)

    def simple(name: str, select: str, order_by: str) -> None:
        """A file without faults: `select` gives its columns in order; rows sorted by `order_by`."""
        table = "sis_" + name.removesuffix(".csv")
        aliases = ", ".join(f'"{c}"' for c in COLUMNS[name])
        con.execute(
            f'create or replace table "{table}" as '
            f"select row_number() over (order by {order_by}) as rid, * "
            f"from ({select}) as x({aliases})"
        )
        rows[name] = write_csv(con, table, out / name, COLUMNS[name])

    v12 = version == "oneroster-1.2"
    manifest = [
        ("manifest.version", "1.0"),
        ("oneroster.version", "1.2" if v12 else "1.1"),
        *[(f"file.{f}", "bulk") for f in (oneroster12.BULK if v12 else _BULK)],
        *[(f"file.{f}", "absent") for f in (oneroster12.ABSENT if v12 else _ABSENT)],
        ("source.systemName", "Maple Valley SIS"),
        ("source.systemCode", "MVSIS"),
    ]
    put_table(
        con,
        "manifest_rows",
        propertyName=np.array([m[0] for m in manifest]),
        value=np.array([m[1] for m in manifest]),
    )
    simple("manifest.csv", "from manifest_rows", '"propertyName"')

    simple(
        "orgs.csv",
        f"""
        select '{DISTRICT_SOURCED_ID}' as sourcedId, 'active' as status, '{ts}' as dateLastModified,
               '{DISTRICT_NAME}' as name, 'district' as type, '{DISTRICT_CODE}' as identifier,
               '' as parentSourcedId
        union all
        select sourced_id, 'active', '{ts}', name, 'school', state_code, '{DISTRICT_SOURCED_ID}'
        from schools
        """,
        '"type" <> \'district\', "sourcedId"',
    )

    sessions = []
    for y in years:
        cal = district.calendars[y]
        s2_start = cal.instructional[90].astype(object)
        s1_end = cal.dates[cal.dates < cal.instructional[90]][-1].astype(object)
        sessions += [
            (f"Y{y}", f"{y - 1}-{y}", "schoolYear", cal.first_day, cal.last_day, "", y),
            (f"Y{y}S1", f"Semester 1 {y - 1}-{y}", "semester", cal.first_day, s1_end, f"Y{y}", y),
            (f"Y{y}S2", f"Semester 2 {y - 1}-{y}", "semester", s2_start, cal.last_day, f"Y{y}", y),
        ]
    cols = list(zip(*sessions, strict=True))
    put_table(
        con,
        "session_rows",
        sourcedId=np.array(cols[0]),
        title=np.array(cols[1]),
        type=np.array(cols[2]),
        startDate=np.array([str(d) for d in cols[3]]),
        endDate=np.array([str(d) for d in cols[4]]),
        parentSourcedId=np.array(cols[5]),
        schoolYear=np.array([str(v) for v in cols[6]]),
    )
    simple(
        "academicSessions.csv",
        f"""select sourcedId, 'active' as status, '{ts}' as dateLastModified, title, type,
                   startDate, endDate, parentSourcedId, schoolYear from session_rows""",
        '"sourcedId"',
    )

    kinds = " union all ".join(
        f"select '{k}' as kind, '{t}' as kind_title, '{s}' as subjects, '{c}' as subject_codes"
        for k, (t, s, c) in _KIND.items()
    )
    con.execute(f"create or replace table kinds as {kinds}")
    simple(
        "courses.csv",
        f"""
        select 'CRS' || y.year || '-' || k.kind || '-' || grade_code(g.grade) as sourcedId,
               'active', '{ts}', 'Y' || y.year,
               case when g.grade = 0 then 'Kindergarten' else 'Grade ' || g.grade end
                   || ' ' || k.kind_title as title,
               k.kind || '-' || grade_code(g.grade) as courseCode,
               grade_code(g.grade) as grades, '{DISTRICT_SOURCED_ID}', k.subjects, k.subject_codes
        from (select distinct year from calendar) y
        cross join (select range as grade from range(13)) g
        cross join kinds k
        """,
        '"sourcedId"',
    )

    simple(
        "classes.csv",
        f"""
        select c.class_sid as sourcedId, 'active', '{ts}',
               k.kind_title || ' ' || grade_code(c.grade) || '-'
                   || lpad(c.section_no::varchar, 2, '0'),
               grade_code(c.grade), 'CRS' || c.year || '-' || c.kind || '-' || grade_code(c.grade),
               c.kind || '-' || grade_code(c.grade) || '-' || lpad(c.section_no::varchar, 2, '0'),
               case when c.kind = 'HR' then 'homeroom' else 'scheduled' end,
               'Room ' || c.room, c.school_sid, 'Y' || c.year, k.subjects, k.subject_codes,
               case c.kind when 'HR' then 'HR'
                           when 'ELA' then ((c.section_no - 1) % 6 + 1)::varchar
                           else ((c.section_no + 2) % 6 + 1)::varchar end
        from classes c join kinds k using (kind)
        """,
        '"sourcedId"',
    )

    _users(district, out, ts, rows)
    if v12:
        rows.update(oneroster12.write_roles_and_profiles(district, out, ts))
    _enrollments(district, out, ts, rows)
    _demographics(district, out, ts, rows)
    _programs(district, out, rows)
    simple(
        "calendar.csv",
        """
        select s.sourced_id, strftime(c.date, '%Y-%m-%d'), c.day_type
        from schools s cross join calendar c
        """,
        '"schoolSourcedId", "date"',
    )
    log.info("SIS export: %s", ", ".join(f"{k} {v}" for k, v in rows.items()))
    return rows


def _users(district: District, out: Path, ts: str, rows: dict[str, int]) -> None:
    con, r = district.con, district.config.rates
    rng = district.config.stream("sis.users")
    v12 = district.config.sis == "oneroster-1.2"
    # 1.2: the number in userIds beside the GUID sourcedId (the district's `sis.local_id`)
    user_ids = "'{district:' || sid || '}'" if v12 else "''"
    con.execute(
        f"""
        create or replace table sis_users_rows as
        with last_span as (
            select pid, arg_max(school, year * 10 + span_no) as school,
                   arg_max(grade, year * 10 + span_no) as grade
            from spans where known_to = 0 group by pid
        ),
        students as (
            select p.pid, i.local_id as sid, sc.sourced_id as org, 'student' as role,
                   's' || i.local_id as username, p.first_name, p.last_name, p.middle_name,
                   i.state_id as identifier,
                   's' || i.local_id || '@students.{EMAIL_DOMAIN}' as email,
                   grade_code(l.grade) as grades
            from people p join ids i using (pid) join last_span l using (pid)
            join schools sc on sc.school = l.school
        ),
        staff as (
            select null::bigint as pid, t.sourced_id, sc.sourced_id, 'teacher', t.username,
                   t.first_name, t.last_name, '', t.educator_id, t.email, ''
            from teachers t join schools sc using (school)
        )
        select row_number() over (order by role, sid) as seq, *
        from (select * from students union all select * from staff)
        """
    )
    is_student = con.execute(
        "select role = 'student' from sis_users_rows order by seq"
    ).fetchnumpy()
    is_student = np.asarray(list(is_student.values())[0], dtype=bool)
    n = len(is_student)
    put_table(
        con,
        "sis_users_draws",
        seq=np.arange(1, n + 1),
        dup=faults.draw(rng, n, r.sis_duplicate_user),
        f_missing_id=faults.draw(rng, n, r.sis_missing_state_id, is_student),
    )
    con.execute(
        f"""
        create or replace table sis_users_base as
        select seq, pid, dup, f_missing_id,
               user_ref(sid) as sourcedId, 'active' as status, '{ts}' as dateLastModified,
               'true' as enabledUser, org as orgSourcedIds, role, username,
               {user_ids} as userIds, org as primaryOrgSourcedId,
               first_name as givenName, last_name as familyName, middle_name as middleName,
               case when f_missing_id then '' else identifier end as identifier, email,
               '' as sms, '' as phone, '' as agentSourcedIds, grades, '' as password
        from sis_users_rows join sis_users_draws using (seq)
        """
    )
    finalize_export(con, "sis_users_base", "sis_users")
    header = oneroster12.USERS_COLUMNS if v12 else COLUMNS["users.csv"]
    rows["users.csv"] = write_csv(con, "sis_users", out / "users.csv", header, sparse=True)
    district.exports.append(("users.csv", "sis_users"))


def _enrollments(district: District, out: Path, ts: str, rows: dict[str, int]) -> None:
    con, r = district.con, district.config.rates
    rng = district.config.stream("sis.enrollments")
    con.execute(
        """
        create or replace table sis_enrollment_rows as
        with students as (
            select s.pid, c.class_sid, c.school_sid, i.local_id as user_sid, 'student' as role,
                   'false' as "primary", s.begin_date, s.end_date, c.year
            from span_sections ss
            join spans s on s.span_id = ss.span_id
            join classes c
                 on c.year = ss.year and c.school = ss.school and c.grade = ss.grade
                and c.kind = ss.kind and c.section_no = ss.section_no
            join ids i on i.pid = s.pid
        ),
        staff as (
            select null::bigint, c.class_sid, c.school_sid, c.teacher_sid, 'teacher', 'true',
                   d.first_day, d.last_day, c.year
            from classes c
            join (select year, min(date) filter (where day_idx is not null) as first_day,
                         max(date) filter (where day_idx is not null) as last_day
                  from calendar group by year) d using (year)
        )
        select row_number() over (order by year, school_sid, class_sid, role desc, user_sid,
                                           begin_date) as seq, *
        from (select * from students union all select * from staff)
        """
    )
    n = scalar(con, "select count(*) from sis_enrollment_rows")
    put_table(
        con,
        "sis_enrollment_draws",
        seq=np.arange(1, n + 1),
        dup=faults.draw(rng, n, r.sis_duplicate_enrollment),
    )
    con.execute(
        f"""
        create or replace table sis_enrollments_base as
        select seq, pid, dup,
               'E' || lpad(seq::varchar, 8, '0') as sourcedId, 'active' as status,
               '{ts}' as dateLastModified, class_sid as classSourcedId,
               school_sid as schoolSourcedId, user_ref(user_sid) as userSourcedId, role, "primary",
               strftime(begin_date, '%Y-%m-%d') as beginDate,
               strftime(end_date, '%Y-%m-%d') as endDate
        from sis_enrollment_rows join sis_enrollment_draws using (seq)
        """
    )
    finalize_export(con, "sis_enrollments_base", "sis_enrollments")
    rows["enrollments.csv"] = write_csv(
        con, "sis_enrollments", out / "enrollments.csv", COLUMNS["enrollments.csv"]
    )
    district.exports.append(("enrollments.csv", "sis_enrollments"))


def _demographics(district: District, out: Path, ts: str, rows: dict[str, int]) -> None:
    con = district.con
    flags = ", ".join(
        f"case when \"{f}\" then 'true' else 'false' end as \"{f}\"" for f in RACE_FLAGS
    )
    con.execute(
        f"""
        create or replace table sis_demographics as
        select row_number() over (order by i.local_id) as rid, '' as faults, p.pid,
               user_ref(i.local_id) as sourcedId, 'active' as status,
               '{ts}' as dateLastModified, strftime(p.birth_date, '%Y-%m-%d') as birthDate,
               p.sex, {flags},
               case when p.two_or_more then 'true' else 'false' end
                   as demographicRaceTwoOrMoreRaces,
               case when p.hispanic then 'true' else 'false' end as hispanicOrLatinoEthnicity,
               p.country_of_birth as countryOfBirthCode,
               p.state_of_birth as stateOfBirthAbbreviation, p.city_of_birth as cityOfBirth,
               p.residence_status as publicSchoolResidenceStatus
        from people p join ids i using (pid)
        where p.known_to = 0
        """
    )
    rows["demographics.csv"] = write_csv(
        con, "sis_demographics", out / "demographics.csv", COLUMNS["demographics.csv"]
    )
    district.exports.append(("demographics.csv", "sis_demographics"))


#: Share of program rows that end mid-year in the child's last school year (a family no longer
#: low income, an IEP exited, an English learner reclassified): counted in the subgroup for that
#: year under the default rule (any day of the year), not as of the last day.
P_PROGRAM_ENDS_MID_YEAR = 0.12
#: Instructional-day index range of such an end.
PROGRAM_END_DAYS = (40, 150)


def _programs(district: District, out: Path, rows: dict[str, int]) -> None:
    """ELL, SPED and FRL spans from the first enrollment (5% identified later); some ELL exit at
    the end of their first year; some programs end mid-year in the child's last year."""
    con = district.con
    rng = district.config.stream("sis.programs")
    con.execute(
        """
        create or replace table program_rows as
        with first_span as (
            select pid, arg_min(year, year * 1000 + b) as year, min(year * 1000 + b) % 1000 as b,
                   max(year) as last_year
            from spans where known_to = 0 group by pid
        ),
        flagged as (
            select pid, 'ELL' as code from people where ell and known_to = 0
            union all select pid, 'SPED' from people where sped and known_to = 0
            union all select pid, 'FRL' from people where frl and known_to = 0
        )
        select row_number() over (order by i.local_id, f.code) as seq, f.pid, f.code,
               i.local_id, s.year, s.b, s.last_year
        from flagged f join first_span s using (pid) join ids i using (pid)
        """
    )
    n = scalar(con, "select count(*) from program_rows")
    put_table(
        con,
        "program_draws",
        seq=np.arange(1, n + 1),
        late=np.where(rng.random(n) < 0.05, rng.integers(20, 120, n), 0),
        exits=rng.random(n) < 0.15,
        ends_mid_year=rng.random(n) < P_PROGRAM_ENDS_MID_YEAR,
        end_idx=rng.integers(PROGRAM_END_DAYS[0], PROGRAM_END_DAYS[1] + 1, n),
    )
    con.execute(
        """
        create or replace table sis_programs as
        select p.seq as rid, '' as faults, p.pid, p.local_id as studentSourcedId,
               p.code as programCode, strftime(bd.date, '%Y-%m-%d') as beginDate,
               case when p.code = 'ELL' and d.exits and p.last_year > p.year
                    then strftime(ed.date, '%Y-%m-%d')
                    when d.ends_mid_year and (p.last_year > p.year
                                              or least(179, p.b + d.late) + 10 <= d.end_idx)
                    then strftime(md.date, '%Y-%m-%d') else '' end as endDate
        from program_rows p
        join program_draws d using (seq)
        join calendar bd on bd.year = p.year and bd.day_idx = least(179, p.b + d.late)
        join (select year, max(date) as date from calendar group by year) ed on ed.year = p.year
        join calendar md on md.year = p.last_year and md.day_idx = d.end_idx
        order by p.seq
        """
    )
    rows["programs.csv"] = write_csv(
        con, "sis_programs", out / "programs.csv", COLUMNS["programs.csv"]
    )
    district.exports.append(("programs.csv", "sis_programs"))
