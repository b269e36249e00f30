"""The generated district's attendance system and SIS as databases: PowerSchool's tables in
MariaDB, OneRoster's files as tables in PostgreSQL (`python -m synthetic.databases`).

It reads what `python -m synthetic --attendance powerschool` wrote (the PowerSchool exports, the
OneRoster files, the SIS calendar and the school crosswalk) and writes the same rows into the
tables a district's servers hold, so a load from the databases and a load from the files must
give the same staged rows, and the truth stays the generator's. Generate with `--clean` for a
database: a database column typed DATE cannot hold the files' malformed dates.

PowerSchool's names (connectors/databases/schemas.py cites the data dictionary): STUDENTS.ID is
the internal key ATTENDANCE.StudentID points to, Student_Number the number people know;
ATTENDANCE_CODE holds each school's codes with Presence_Status_CD; YearID is PowerSchool's year
number (the school year ending 2026 is 35); WhenModified the audit column pulls are cut on (an
attendance row's is its day at 16:00, the other tables' the export's time).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

import click
import duckdb
import sqlalchemy as sa

log = logging.getLogger(__name__)

#: When the generated rows were last changed (the files' dateLastModified, as a timestamp).
GENERATED_AT = datetime(2026, 6, 18, 2, 0, 0)
BATCH = 20_000

POWERSCHOOL_DDL = {
    "SCHOOLS": """
        ID int primary key, School_Number int not null, Name varchar(120),
        WhenModified datetime(6) not null""",
    "STUDENTS": """
        ID int primary key, Student_Number varchar(20), State_StudentNumber varchar(20),
        Last_Name varchar(80), First_Name varchar(80), Middle_Name varchar(80), DOB date,
        Gender varchar(2), Grade_Level int, SchoolID int, WhenModified datetime(6) not null""",
    "ATTENDANCE_CODE": """
        ID int primary key, SchoolID int, YearID int, Att_Code varchar(7),
        Description varchar(80), Presence_Status_CD varchar(10),
        WhenModified datetime(6) not null""",
    "ATTENDANCE": """
        ID bigint primary key, StudentID int, SchoolID int, Att_Date date,
        Attendance_CodeID int, Att_Mode_Code varchar(20), Total_Minutes int, Att_Comment text,
        YearID int, WhenModified datetime(6) not null, key (WhenModified)""",
    "CALENDAR_DAY": """
        ID int primary key, SchoolID int, Date_Value date, InSession int,
        MembershipValue decimal(4,2), Type varchar(20), Note varchar(200),
        WhenModified datetime(6) not null""",
}


def _read_files(folder: Path) -> duckdb.DuckDBPyConnection:
    """The generated exports as DuckDB tables named after PowerSchool's (and the SIS files)."""
    con = duckdb.connect()
    att = folder / "landing" / "attendance"
    sis = folder / "landing" / "sis"
    students = att / "student.export.text"
    if not students.exists():
        raise click.UsageError(f"{students}: none; generate with --attendance powerschool")
    text = "all_varchar = true, delim = '\t', header = true, quote = '\"', escape = '\"'"
    when = f"timestamp '{GENERATED_AT:%Y-%m-%d %H:%M:%S}'"
    con.execute(
        f"""
        create table f_students as select * from read_csv('{students}', {text});
        create table f_att as select * from read_csv('{att}/attendance_*.export.text', {text},
            filename = true);
        create table STUDENTS as
        select row_number() over (order by Student_Number)::int as ID, Student_Number,
            nullif(State_StudentNumber, '') as State_StudentNumber, Last_Name, First_Name,
            nullif(Middle_Name, '') as Middle_Name,
            try_strptime(DOB, '%m/%d/%Y')::date as DOB, Gender,
            try_cast(Grade_Level as int) as Grade_Level, try_cast(SchoolID as int) as SchoolID,
            {when} as WhenModified
        from f_students;
        create table att as
        select *, try_strptime(Att_Date, '%m/%d/%Y')::date as d,
            35 + year(try_strptime(Att_Date, '%m/%d/%Y')
                + interval 5 month)::int - 2026 as YearID
        from f_att;
        create table ATTENDANCE_CODE as
        select row_number() over (order by SchoolID, YearID, Att_Code)::int as ID, * from (
            select distinct try_cast(SchoolID as int) as SchoolID, YearID, Att_Code,
                null::varchar as Description, Presence_Status_CD, {when} as WhenModified
            from att);
        create table ATTENDANCE as
        select row_number() over (order by a.d, a.Student_Number, a.Att_Code)::bigint as ID,
            s.ID as StudentID, try_cast(a.SchoolID as int) as SchoolID, a.d as Att_Date,
            c.ID as Attendance_CodeID, a.Att_Mode_Code,
            try_cast(a.Total_Minutes as int) as Total_Minutes,
            nullif(a.Att_Comment, '') as Att_Comment, a.YearID,
            -- Taken on the day, in the afternoon: the changes of one day share a date.
            coalesce(a.d + interval 16 hour, {when}) as WhenModified
        from att a
        left join STUDENTS s on s.Student_Number = a.Student_Number
        left join ATTENDANCE_CODE c on c.SchoolID = try_cast(a.SchoolID as int)
            and c.YearID = a.YearID and c.Att_Code = a.Att_Code;
        """
    )
    crosswalk = folder / "config" / "crosswalks" / "school_crosswalk.csv"
    con.execute(
        f"""
        create table xwalk as select * from read_csv('{crosswalk}', all_varchar = true)
            where source_system = 'attendance';
        create table orgs as select * from read_csv('{sis}/orgs.csv', all_varchar = true);
        create table SCHOOLS as
        select row_number() over (order by x.vendor_school)::int as ID,
            x.vendor_school::int as School_Number, o.name as Name, {when} as WhenModified
        from xwalk x left join orgs o on o.sourcedId = x.school_sourced_id;
        create table CALENDAR_DAY as
        select row_number() over (order by x.vendor_school, c.date)::int as ID,
            x.vendor_school::int as SchoolID, c.date::date as Date_Value,
            (c.dayType = 'instructional')::int as InSession,
            case when c.dayType = 'instructional' then 1.0 else 0.0 end::decimal(4,2)
                as MembershipValue,
            c.dayType as Type, null::varchar as Note, {when} as WhenModified
        from read_csv('{sis}/calendar.csv', all_varchar = true) c
        join xwalk x on x.school_sourced_id = c.schoolSourcedId;
        """
    )
    return con


def _batches(con: duckdb.DuckDBPyConnection, table: str) -> Iterator[list[tuple]]:
    cur = con.execute(f'select * from "{table}"')
    while rows := cur.fetchmany(BATCH):
        yield rows


def write_powerschool(folder: Path, url: str) -> dict[str, int]:
    """Create PowerSchool's tables in the MariaDB database of `url` and fill them."""
    con = _read_files(folder)
    engine = sa.create_engine(url)
    counts = {}
    with engine.begin() as db:
        for table, ddl in POWERSCHOOL_DDL.items():
            db.exec_driver_sql(f"drop table if exists `{table}`")
            db.exec_driver_sql(f"create table `{table}` ({ddl})")
            names = [d[0] for d in con.execute(f'select * from "{table}" limit 0').description]
            insert = (
                f"insert into `{table}` ({', '.join(f'`{n}`' for n in names)}) "
                f"values ({', '.join(['%s'] * len(names))})"
            )
            for rows in _batches(con, table):
                db.connection.cursor().executemany(insert, rows)
            counts[table] = con.execute(f'select count(*) from "{table}"').fetchone()[0]
    engine.dispose()
    con.close()
    return counts


def _oneroster_columns(path: Path) -> Sequence[str]:
    with path.open(encoding="utf-8-sig") as handle:
        return handle.readline().rstrip("\r\n").split(",")


def write_oneroster(folder: Path, url: str) -> dict[str, int]:
    """Create the OneRoster files' tables in the PostgreSQL database of `url` and fill them:
    every field text as in the files, `dateLastModified` a timestamp, `sourcedId` the key."""
    from connectors.databases.schemas import ONEROSTER_FILES

    sis = folder / "landing" / "sis"
    engine = sa.create_engine(url)
    counts = {}
    with engine.begin() as db:
        raw = db.connection
        for table in ONEROSTER_FILES:
            path = sis / f"{table}.csv"
            columns = _oneroster_columns(path)
            defs = ", ".join(
                f'"{c}" timestamptz'
                if c == "dateLastModified"
                else f'"{c}" text primary key'
                if c == "sourcedId"
                else f'"{c}" text'
                for c in columns
            )
            db.exec_driver_sql(f'drop table if exists "{table}"')
            db.exec_driver_sql(f'create table "{table}" ({defs})')
            with path.open(encoding="utf-8-sig") as handle, raw.cursor() as cur:
                cur.copy_expert(f'copy "{table}" from stdin with (format csv, header true)', handle)
            counts[table] = db.exec_driver_sql(f'select count(*) from "{table}"').scalar()
    engine.dispose()
    return counts


@click.command(name="synthetic-databases", help=__doc__.split("\n\n")[0])
@click.option("--from", "folder", type=click.Path(path_type=Path, exists=True), required=True)
@click.option("--mariadb", help="SQLAlchemy URL of the MariaDB database for PowerSchool")
@click.option("--postgres", help="SQLAlchemy URL of the PostgreSQL database for OneRoster")
def command(folder: Path, mariadb: str | None, postgres: str | None) -> None:
    if mariadb:
        click.echo(f"PowerSchool: {write_powerschool(folder, mariadb)}")
    if postgres:
        click.echo(f"OneRoster: {write_oneroster(folder, postgres)}")


if __name__ == "__main__":
    command()
