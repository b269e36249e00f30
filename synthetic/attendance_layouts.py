"""The attendance system's exports written in a vendor's layout (`--attendance`).

The simulated attendance system is the same whichever layout is chosen (`attendance.plan_*`):
its own student numbers and school codes, the clerk-typed SIS number and its faults, one
exception row per student-day. A layout renders it:

- `powerschool`: PowerSchool Quick Export / Data Export Manager text files, tab-delimited, field
  names as header, `MM/DD/YYYY` dates (the server's US default): `student.export.text` (the
  STUDENTS table: `Student_Number` = the attendance system's own number, `ID` the SIS number as
  the `powerschool_students` layout reads it, `State_StudentNumber`, `Grade_Level` 0 = K) and
  `attendance_<YYYY>-<YYYY>.export.text` per year (ATTENDANCE joined with ATTENDANCE_CODE, daily
  mode: `Att_Code` the district's code letters with their `Presence_Status_CD`).
- `edfi`: the Ed-Fi `studentSchoolAttendanceEvents` resource flattened to CSV (dotted JSON paths
  as header), one file per year `studentSchoolAttendanceEvents_<YYYY>.csv`, ISO dates,
  `attendanceEventCategoryDescriptor` URIs: Ed-Fi's own for the categories it defines, the
  district's namespace for the others. Ed-Fi has no student list layout here, so the attendance
  system's student list is written in districtwide's own layout beside it.

Faults as in the districtwide layout: unmapped codes, malformed dates (in forms the layout's date
formats do not read), wrong field counts (a stray delimiter in the comment, a dropped last field)
and exact duplicates; the student list's ID and name faults. The tables keep the names and flag
columns the truth reads (`att_students`, `att_exc_<year>`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from synthetic import attendance, faults, id_traps
from synthetic.attendance import ABSENCE_CODES, DAY_MINUTES
from synthetic.config import EMAIL_DOMAIN
from synthetic.district import District
from synthetic.people import IN_SIS
from synthetic.tables import columns, finalize_export, write_csv

log = logging.getLogger(__name__)

PS_STUDENT_COLUMNS = columns(
    "Student_Number,Last_Name,First_Name,Middle_Name,DOB,Gender,Grade_Level,SchoolID,ID,"
    "State_StudentNumber"
)
PS_ATTENDANCE_COLUMNS = columns(
    "Student_Number,SchoolID,Att_Date,Att_Code,Presence_Status_CD,Att_Mode_Code,Total_Minutes,"
    "Att_Comment"
)
PS_STUDENTS_FILE = "student.export.text"

EDFI_COLUMNS = columns(
    "studentReference.studentUniqueId,schoolReference.schoolId,sessionReference.schoolId,"
    "sessionReference.schoolYear,sessionReference.sessionName,eventDate,"
    "attendanceEventCategoryDescriptor,attendanceEventReason,schoolAttendanceDuration,"
    "eventDuration"
)
EDFI_NAMESPACE = "uri://ed-fi.org/AttendanceEventCategoryDescriptor#"
#: The district's own descriptor namespace, for the categories Ed-Fi's defaults lack.
DISTRICT_NAMESPACE = f"uri://{EMAIL_DOMAIN}/AttendanceEventCategoryDescriptor#"
#: The descriptor each code letter of the attendance system is exported as.
EDFI_DESCRIPTORS = {
    "A": EDFI_NAMESPACE + "Unexcused Absence",
    "E": EDFI_NAMESPACE + "Excused Absence",
    "M": EDFI_NAMESPACE + "Excused Absence",
    "T": EDFI_NAMESPACE + "Tardy",
    "D": EDFI_NAMESPACE + "Early departure",
    "S": DISTRICT_NAMESPACE + "Out-of-school suspension",
    "I": DISTRICT_NAMESPACE + "In-school suspension",
    "F": DISTRICT_NAMESPACE + "School activity",
}


def ps_attendance_file(year: int) -> str:
    return f"attendance_{year - 1}-{year}.export.text"


def edfi_file(year: int) -> str:
    return f"studentSchoolAttendanceEvents_{year}.csv"


def _case(column: str, mapping: dict[str, str]) -> str:
    whens = " ".join(f"when '{k}' then '{v}'" for k, v in mapping.items())
    return f"case {column} {whens} end"


def write_powerschool_students(district: District, out: Path) -> int:
    """student.export.text: the attendance system's student list as PowerSchool's STUDENTS."""
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
               i.stunum as Student_Number, shown_last as Last_Name, shown_first as First_Name,
               middle_name as Middle_Name, strftime(birth_date, '%m/%d/%Y') as DOB,
               case sex when 'male' then 'M' else 'F' end as Gender,
               grade::varchar as Grade_Level, att_code as SchoolID,
               case when known_to <> {IN_SIS} or f_missing_id then ''
                    when f_mistyped_id then t.typed
                    else i.local_id end as ID,
               i.state_id as State_StudentNumber
        from shown join ids i using (pid) left join att_typed t using (seq)
        """
    )
    finalize_export(con, "att_students_base", "att_students")
    con.execute("drop table att_students_plan")
    district.exports.append((PS_STUDENTS_FILE, "att_students"))
    return write_csv(
        con, "att_students", out / PS_STUDENTS_FILE, PS_STUDENT_COLUMNS, delimiter="\t"
    )


def _exceptions_base(district: District, year: int, select: str) -> str:
    """The `att_exc_<year>_base` table: the truth's columns plus the layout's `select`."""
    table = f"att_exc_{year}"
    district.con.execute(
        f"""
        create or replace table {table}_base as
        select seq, pid, year, school, code as true_code, known_to, dup,
               f_unknown_student, f_unmapped_code, f_malformed_date, f_bad_field_count,
               bad_fields, {select}
        from att_exc_plan where year = {year}
        """
    )
    finalize_export(district.con, f"{table}_base", table)
    return table


def write_powerschool_exceptions(district: District, out: Path) -> dict[str, int]:
    """attendance_<YYYY>-<YYYY>.export.text: daily ATTENDANCE rows, tab-delimited."""
    rows = {}
    absent = ", ".join(f"'{c}'" for c in ABSENCE_CODES)
    for year in district.config.school_years:
        table = _exceptions_base(
            district,
            year,
            f"""
            stunum as Student_Number, att_code as SchoolID,
            case when not f_malformed_date then strftime(date, '%m/%d/%Y')
                 when date_form = 0 then '13/45/' || year(date)
                 when date_form = 1 then strftime(date, '%d.%m.%Y')
                 else '' end as Att_Date,
            case when f_unmapped_code then shown_code else code end as Att_Code,
            case when code in ({absent}) then 'Absent' else 'Present' end as Presence_Status_CD,
            'ATT_ModeDaily' as Att_Mode_Code,
            minutes as Total_Minutes,
            case when bad_fields = 1 then comment || chr(9) || 'see office'
                 else comment end as Att_Comment
            """,
        )
        name = ps_attendance_file(year)
        district.exports.append((name, table))
        rows[name] = write_csv(
            district.con,
            table,
            out / name,
            PS_ATTENDANCE_COLUMNS,
            bad_column="Att_Comment",
            delimiter="\t",
        )
    district.con.execute("drop table att_exc_plan")
    return rows


def write_edfi_exceptions(district: District, out: Path) -> dict[str, int]:
    """studentSchoolAttendanceEvents_<YYYY>.csv: the Ed-Fi resource flattened, one per year."""
    rows = {}
    absent = ", ".join(f"'{c}'" for c in ABSENCE_CODES)
    for year in district.config.school_years:
        table = _exceptions_base(
            district,
            year,
            f"""
            stunum as "studentReference.studentUniqueId",
            att_code as "schoolReference.schoolId", att_code as "sessionReference.schoolId",
            year as "sessionReference.schoolYear",
            '{year - 1}-{year} ' || case when date < make_date({year}, 1, 1)
                then 'Fall' else 'Spring' end || ' Semester' as "sessionReference.sessionName",
            case when not f_malformed_date then strftime(date, '%Y-%m-%d')
                 when date_form = 0 then year(date) || '-13-45'
                 when date_form = 1 then strftime(date, '%d.%m.%Y')
                 else '' end as eventDate,
            case when f_unmapped_code then '{DISTRICT_NAMESPACE}' || shown_code
                 else {_case("code", EDFI_DESCRIPTORS)} end
                as attendanceEventCategoryDescriptor,
            case when bad_fields = 1 and comment = '' then 'Sick, parent called'
                 when bad_fields = 1 and not contains(comment, ',')
                      then comment || ', see office'
                 else comment end as attendanceEventReason,
            case when code in ({absent}) then null
                 else {DAY_MINUTES} - minutes end as schoolAttendanceDuration,
            case when code in ({absent}) then '1' else '0' end as eventDuration
            """,
        )
        name = edfi_file(year)
        district.exports.append((name, table))
        rows[name] = write_csv(
            district.con, table, out / name, EDFI_COLUMNS, bad_column="attendanceEventReason"
        )
    district.con.execute("drop table att_exc_plan")
    return rows


def write(district: District, out: Path) -> dict[str, int]:
    """Write the attendance system's student list and exceptions in the configured layout."""
    layout = district.config.attendance
    if layout == "powerschool":
        rows = {PS_STUDENTS_FILE: write_powerschool_students(district, out)}
        rows.update(write_powerschool_exceptions(district, out))
        return rows
    rows = {attendance.STUDENTS_FILE: attendance.write_students(district, out)}
    if layout == "edfi":
        rows.update(write_edfi_exceptions(district, out))
    else:
        rows.update(attendance.write_exceptions(district, out))
    return rows
