"""The shapes of the databases districtwide pulls, and how their tables feed the shipped layouts.

A database source is a set of tables, each with its primary key and the column that tells when a
row last changed (the incremental cursor), and a set of feeds: a query over the pulled tables that
gives the columns of a shipped file layout, so the pulled rows enter the same canonical raw table,
through the same column mapping, as the vendor's export file would (no new dbt model).

PowerSchool (the attendance database): table and column names of the PowerSchool SIS Data
Dictionary (ps.powerschool-docs.com/pssis-data-dictionary/latest/): ATTENDANCE (157),
ATTENDANCE_CODE (156), STUDENTS (1), CALENDAR_DAY (51) and SCHOOLS (School_Number, Name); the
layouts connectors/layouts/attendance/powerschool_*.yaml cite the same pages column by column.
`WhenModified` is one of the audit columns PowerSchool adds to its tables ("Audit Columns contain
information about the creation and modification of a record", ps-compliance.powerschool-docs.com
/pssis-vt/latest/data-dictionary); KIPP's Dagster project (github.com/TEAMSchools/teamster,
src/teamster/kippcamden/powerschool/db/assets.py) pulls PowerSchool tables incrementally on it.

OneRoster (the SIS database): the 1EdTech OneRoster 1.1 CSV files as tables, one column per CSV
field (docs/oneroster.md); `dateLastModified` is OneRoster's own field on every record.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableSpec:
    """One table of a source database: its key (unique, never reused), its cursor (the column
    that grows when a row is inserted or changed) and the columns the feeds need."""

    name: str
    key: str
    cursor: str
    needs: tuple[str, ...]
    # Columns the feeds read when they are there (NULL when a district's table lacks them).
    reads: tuple[str, ...] = ()
    # Columns never read from the server at all (OneRoster's `password`): not pulled, archived,
    # mirrored or loaded (the layouts' `secret_columns`).
    secret: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feed:
    """A query over the pulled tables giving a shipped layout's header columns in order, plus
    `_key` (the row's key, kept as the raw row's `_line_number` so a quarantined row names it)."""

    layout: str
    raw_table: str
    # The name of the delivery in the audit and raw (`_source_file`): one per feed and source.
    name: str
    tables: tuple[str, ...]
    query: str
    # Loaded as increments (only the first table's rows added or changed) while nothing else of
    # the feed changed: for the daily attendance, one new day instead of the whole year.
    incremental: bool = False


@dataclass(frozen=True)
class DatabaseSchema:
    """A kind of database (`powerschool`, `oneroster`) and the source its rows belong to."""

    name: str
    source: str
    tables: tuple[TableSpec, ...]
    feeds: tuple[Feed, ...]

    def table(self, name: str) -> TableSpec:
        return next(t for t in self.tables if t.name == name)


def _text(column: str, alias: str | None = None) -> str:
    """A pulled value as the text a file would carry: dates ISO, numbers without a decimal tail."""
    name = alias or column.split(".")[-1].strip('"')
    return f'cast({column} as varchar) as "{name}"'


POWERSCHOOL = DatabaseSchema(
    name="powerschool",
    source="attendance",
    tables=(
        TableSpec("SCHOOLS", "ID", "WhenModified", ("ID", "School_Number", "Name")),
        TableSpec(
            "STUDENTS",
            "ID",
            "WhenModified",
            (
                "ID",
                "Student_Number",
                "Last_Name",
                "First_Name",
                "DOB",
                "SchoolID",
            ),
            ("Middle_Name", "Gender", "Grade_Level", "State_StudentNumber"),
        ),
        TableSpec(
            "ATTENDANCE_CODE",
            "ID",
            "WhenModified",
            ("ID", "Att_Code", "Presence_Status_CD"),
        ),
        TableSpec(
            "ATTENDANCE",
            "ID",
            "WhenModified",
            ("ID", "StudentID", "SchoolID", "Att_Date", "Attendance_CodeID"),
            ("Att_Mode_Code", "Total_Minutes", "Att_Comment"),
        ),
        TableSpec(
            "CALENDAR_DAY",
            "ID",
            "WhenModified",
            ("ID", "SchoolID", "Date_Value", "InSession"),
            ("MembershipValue", "Type", "Note"),
        ),
    ),
    feeds=(
        Feed(
            layout="powerschool_attendance",
            raw_table="attendance__exceptions",
            name="ATTENDANCE",
            tables=("ATTENDANCE", "ATTENDANCE_CODE", "STUDENTS"),
            incremental=True,
            # Daily attendance only (Att_Mode_Code ATT_ModeDaily): meeting (period) rows would
            # multiply the days; they are counted in the audit's warning, not loaded.
            query=f"""
                select a."ID" as _key, {_text('s."Student_Number"')}, {_text('a."SchoolID"')},
                    {_text('a."Att_Date"')}, {_text('c."Att_Code"')},
                    {_text('c."Presence_Status_CD"')}, {_text('a."Att_Mode_Code"')},
                    {_text('a."Total_Minutes"')}, {_text('a."Att_Comment"')}
                from "ATTENDANCE" a
                left join "ATTENDANCE_CODE" c on c."ID" = a."Attendance_CodeID"
                left join "STUDENTS" s on s."ID" = a."StudentID"
                where coalesce(a."Att_Mode_Code", 'ATT_ModeDaily') = 'ATT_ModeDaily'
            """,
        ),
        Feed(
            layout="powerschool_students",
            raw_table="attendance__students",
            name="STUDENTS",
            tables=("STUDENTS",),
            query=f"""
                select "ID" as _key, {_text('"Student_Number"')}, {_text('"Last_Name"')},
                    {_text('"First_Name"')}, {_text('"Middle_Name"')}, {_text('"DOB"')},
                    {_text('"Gender"')}, {_text('"Grade_Level"')}, {_text('"SchoolID"')},
                    {_text('"State_StudentNumber"')}
                from "STUDENTS"
            """,
        ),
        Feed(
            layout="powerschool_calendar_day",
            raw_table="attendance__calendar",
            name="CALENDAR_DAY",
            tables=("CALENDAR_DAY",),
            query=f"""
                select "ID" as _key, {_text('"SchoolID"')}, {_text('"Date_Value"')},
                    {_text('"InSession"')}, {_text('"MembershipValue"')}, {_text('"Type"')},
                    {_text('"Note"')}
                from "CALENDAR_DAY"
            """,
        ),
    ),
)

# OneRoster 1.1 files as tables (the SIS database), with the columns of the shipped layouts.
ONEROSTER_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "orgs": (
        "sis__orgs",
        ("name", "type", "identifier", "parentSourcedId"),
    ),
    "academicSessions": (
        "sis__academic_sessions",
        ("title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"),
    ),
    "courses": (
        "sis__courses",
        (
            "schoolYearSourcedId",
            "title",
            "courseCode",
            "grades",
            "orgSourcedId",
            "subjects",
            "subjectCodes",
        ),
    ),
    "classes": (
        "sis__classes",
        (
            "title",
            "grades",
            "courseSourcedId",
            "classCode",
            "classType",
            "location",
            "schoolSourcedId",
            "termSourcedIds",
            "subjects",
            "subjectCodes",
            "periods",
        ),
    ),
    "users": (
        "sis__users",
        (
            "enabledUser",
            "orgSourcedIds",
            "role",
            "username",
            "userIds",
            "givenName",
            "familyName",
            "middleName",
            "identifier",
            "email",
            "sms",
            "phone",
            "agentSourcedIds",
            "grades",
        ),
    ),
    "enrollments": (
        "sis__enrollments",
        (
            "classSourcedId",
            "schoolSourcedId",
            "userSourcedId",
            "role",
            "primary",
            "beginDate",
            "endDate",
        ),
    ),
    "demographics": (
        "sis__demographics",
        (
            "birthDate",
            "sex",
            "americanIndianOrAlaskaNative",
            "asian",
            "blackOrAfricanAmerican",
            "nativeHawaiianOrOtherPacificIslander",
            "white",
            "demographicRaceTwoOrMoreRaces",
            "hispanicOrLatinoEthnicity",
            "countryOfBirthCode",
            "stateOfBirthAbbreviation",
            "cityOfBirth",
            "publicSchoolResidenceStatus",
        ),
    ),
}
ONEROSTER_BASE = ("sourcedId", "status", "dateLastModified")


def _oneroster_feed(table: str, raw_table: str, columns: tuple[str, ...]) -> Feed:
    names = (*ONEROSTER_BASE, *columns)
    # dateLastModified as OneRoster writes it (ISO 8601, UTC, `Z`).
    select = ", ".join(
        "strftime(\"dateLastModified\", '%Y-%m-%dT%H:%M:%S.%g') || 'Z' as \"dateLastModified\""
        if name == "dateLastModified"
        else _text(f'"{name}"')
        for name in names
    )
    return Feed(
        layout=f"oneroster_1_1_{'academic_sessions' if table == 'academicSessions' else table}",
        raw_table=raw_table,
        name=table,
        tables=(table,),
        query=f'select row_number() over (order by "sourcedId") as _key, {select} from "{table}"',
    )


ONEROSTER = DatabaseSchema(
    name="oneroster",
    source="sis",
    tables=tuple(
        TableSpec(
            name,
            "sourcedId",
            "dateLastModified",
            ("sourcedId", "status"),
            columns,
            ("password",) if name == "users" else (),
        )
        for name, (_, columns) in ONEROSTER_FILES.items()
    ),
    feeds=tuple(_oneroster_feed(t, raw, cols) for t, (raw, cols) in ONEROSTER_FILES.items()),
)

SCHEMAS = {schema.source: schema for schema in (POWERSCHOOL, ONEROSTER)}
