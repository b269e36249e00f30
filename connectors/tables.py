"""The canonical raw tables: what every delivered file is mapped onto before dbt reads it.

A vendor's export is described by a layout (`connectors/layouts/`); each layout feeds one of these
tables, naming which of its columns fills which canonical column. dbt's staging models read these
tables only, so a new vendor needs a layout, not new SQL. Every value stays text: typing, code
mapping and quarantine happen in dbt.
"""

from __future__ import annotations

from dataclasses import dataclass

from settings.domains import DOMAINS

SOURCES: tuple[str, ...] = DOMAINS  # the domain list is defined once, in settings.domains

_ONEROSTER_BASE = ("sourcedId", "status", "dateLastModified")


@dataclass(frozen=True)
class RawTable:
    """One canonical raw table `<source>__<entity>`: its text columns, in order."""

    source: str
    entity: str
    columns: tuple[str, ...]
    description: str

    @property
    def table(self) -> str:
        return f"{self.source}__{self.entity}"


RAW_TABLES: tuple[RawTable, ...] = (
    RawTable("sis", "manifest", ("propertyName", "value"), "OneRoster manifest"),
    RawTable(
        "sis",
        "orgs",
        (*_ONEROSTER_BASE, "name", "type", "identifier", "parentSourcedId"),
        "District and schools, with state school codes",
    ),
    RawTable(
        "sis",
        "academic_sessions",
        (
            *_ONEROSTER_BASE,
            "title",
            "type",
            "startDate",
            "endDate",
            "parentSourcedId",
            "schoolYear",
        ),
        "School years and terms",
    ),
    RawTable(
        "sis",
        "courses",
        (
            *_ONEROSTER_BASE,
            "schoolYearSourcedId",
            "title",
            "courseCode",
            "grades",
            "orgSourcedId",
            "subjects",
            "subjectCodes",
        ),
        "Course catalogue",
    ),
    RawTable(
        "sis",
        "classes",
        (
            *_ONEROSTER_BASE,
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
        "Sections (homerooms and scheduled classes)",
    ),
    RawTable(
        "sis",
        "users",
        (
            *_ONEROSTER_BASE,
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
            # OneRoster 1.2 only (its users.csv has no orgSourcedIds or role: see sis__roles).
            "userMasterIdentifier",
            "resourceSourcedIds",
            "preferredGivenName",
            "preferredMiddleName",
            "preferredFamilyName",
            "primaryOrgSourcedId",
            "pronouns",
        ),
        "Students and teachers",
    ),
    RawTable(
        "sis",
        "roles",
        (
            *_ONEROSTER_BASE,
            "userSourcedId",
            "roleType",
            "role",
            "beginDate",
            "endDate",
            "orgSourcedId",
            "userProfileSourcedId",
        ),
        "OneRoster 1.2: each user's roles at each org (primary or secondary)",
    ),
    RawTable(
        "sis",
        "user_profiles",
        (
            *_ONEROSTER_BASE,
            "userSourcedId",
            "profileType",
            "vendorId",
            "applicationId",
            "description",
            "credentialType",
            "username",
        ),
        "OneRoster 1.2: users' application accounts (kept raw; no mart reads them)",
    ),
    RawTable(
        "sis",
        "enrollments",
        (
            *_ONEROSTER_BASE,
            "classSourcedId",
            "schoolSourcedId",
            "userSourcedId",
            "role",
            "primary",
            "beginDate",
            "endDate",
        ),
        "Student and teacher enrollments in sections; school spans from homerooms, else classes",
    ),
    RawTable(
        "sis",
        "demographics",
        (
            *_ONEROSTER_BASE,
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
        "Student birth date, sex and race/ethnicity",
    ),
    RawTable(
        "sis",
        "programs",
        ("studentSourcedId", "programCode", "beginDate", "endDate", "participating"),
        "Program participation (English learner, IEP, 504, low income): a row per student and"
        " program, or a yes/no flag per program unpivoted to one (`participating`)",
    ),
    RawTable(
        "sis",
        "calendar",
        ("schoolSourcedId", "date", "dayType"),
        "School calendar: every weekday of the year and its day type",
    ),
    RawTable(
        "attendance",
        "students",
        (
            "StuNum",
            "LastName",
            "FirstName",
            "MiddleInit",
            "BirthDate",
            "Gender",
            "Grade",
            "SchoolCode",
            "SisNumber",
            "StateID",
        ),
        "The attendance system's student list, with the SIS number where a clerk typed it",
    ),
    RawTable(
        "attendance",
        "exceptions",
        (
            "StuNum",
            "SchoolCode",
            "AbsenceDate",
            "AttCode",
            "Minutes",
            "Comment",
            # PowerSchool's Presence_Status_CD (the code's own Present/Absent) and Att_Mode_Code
            # (daily or meeting attendance), where the export carries them.
            "PresenceStatus",
            "AttMode",
        ),
        "Absences, tardies and early dismissals: one row per student per day with an exception",
    ),
    RawTable(
        "attendance",
        "calendar",
        ("SchoolCode", "CalendarDate", "InSession", "MembershipValue", "DayType", "Note"),
        "The attendance system's school calendar (PowerSchool CALENDAR_DAY style), used for a"
        " school and year the SIS calendar lacks",
    ),
    RawTable(
        "assessment",
        "state_results",
        (
            "Assessment",
            "SchoolYear",
            "DistrictCode",
            "SchoolCode",
            "SchoolName",
            "SASID",
            "LocalID",
            "LastName",
            "FirstName",
            "BirthDate",
            "TestedGrade",
            "Subject",
            "ScaleScore",
            "AchievementLevel",
            "NotTestedCode",
        ),
        "State test: one row per student per subject",
    ),
    RawTable(
        "assessment",
        "map_results",
        (
            "TermName",
            "DistrictName",
            "SchoolName",
            "StudentID",
            "StudentLastName",
            "StudentFirstName",
            "StudentMI",
            "StudentDateOfBirth",
            "StudentGender",
            "Grade",
            "Subject",
            "Course",
            "TestType",
            "TestName",
            "TestStartDate",
            "TestDurationMinutes",
            "TestRITScore",
            "TestStandardError",
            "TestPercentile",
            "AchievementQuintile",
        ),
        "NWEA MAP Growth benchmark results, fall/winter/spring",
    ),
    RawTable(
        "assessment",
        "map_students",
        (
            "TermName",
            "DistrictName",
            "SchoolName",
            "StudentLastName",
            "StudentFirstName",
            "StudentMI",
            "StudentID",
            "StudentDateOfBirth",
            "StudentEthnicGroup",
            "StudentGender",
            "Grade",
        ),
        "NWEA MAP CDF StudentsBySchool: names, birth date, gender and grade per term and school",
    ),
    RawTable(
        "assessment",
        "map_class_assignments",
        ("TermName", "StudentID", "SchoolName", "ClassName", "TeacherName", "TeacherID"),
        "NWEA MAP CDF ClassAssignments: each student's classes and teachers per term",
    ),
    RawTable(
        "assessment",
        "benchmark_results",
        (
            "Assessment",
            "SchoolYear",
            "Window",
            "TestDate",
            "DistrictName",
            "SchoolCode",
            "SchoolName",
            "LocalID",
            "StateID",
            "LastName",
            "FirstName",
            "BirthDate",
            "Grade",
            "Subject",
            "Measure",
            "ScaleScore",
            "Percentile",
            "PerformanceLevel",
            "Proficient",
            "NotTestedCode",
        ),
        "Benchmark and language tests (i-Ready, Star, mCLASS DIBELS, MAP Reading Fluency, WIDA "
        "ACCESS): one row per measure",
    ),
)


def raw_table(table: str) -> RawTable:
    """The raw table named `<source>__<entity>`."""
    for spec in RAW_TABLES:
        if spec.table == table:
            return spec
    raise KeyError(f"no raw table named {table!r}")
