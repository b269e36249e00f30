"""OneRoster 1.1 and 1.2 CSV exports through landing and dbt, as real exports deliver them.

Each test lands a synthetic export (tests/fixtures/layouts/oneroster_1_1 or oneroster_1_2, invented
people in the specification's headers) into a fresh data folder, builds the SIS staging, identity
and core marts with dbt, and reads the warehouse: the manifest's bulk/delta/absent, `status`,
orgs of every type, blank grades, co-teachers and the district's ID settings.
"""

from __future__ import annotations

import csv
import json
import shutil
import time
from pathlib import Path

import pytest

from connectors import warehouse
from connectors.home import Home
from connectors.landing import ensure_empty_audit
from connectors.load import load_landing
from connectors.raw import ensure_schema_files
from connectors.tables import RAW_TABLES
from settings.goals import write_goals
from tests.fixtures.dbt import run_dbt

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "layouts"
SELECT = (
    "+dim_student +dim_teacher +dim_school +fct_section_teacher +fct_section_enrollment "
    "+fct_enrollment +int_identity_matches +quarantine_sis"
)


def deliver(home: Home, export: str, folder: str = "sis/export") -> Path:
    """Copy a fixture export into landing/<folder>, as a vendor's drop."""
    target = home.landing / folder
    target.mkdir(parents=True, exist_ok=True)
    for path in (FIXTURES / export).glob("*.csv"):
        shutil.copy2(path, target / path.name)
    return target


def land(home: Home) -> None:
    run = load_landing(home)
    assert run.unrecognized == [] or all(
        not u["source_path"].startswith("sis/") for u in run.unrecognized
    )
    assert all(t.error is None and not t.failed for t in run.tables.values())


def build(home: Home, **dbt_vars: str) -> None:
    """dbt build of the SIS models and core marts over what landing holds."""
    ensure_empty_audit(home)
    for spec in RAW_TABLES:
        ensure_schema_files(home.raw, spec)
    write_goals(home, goals=())
    selection = ["--select", SELECT, "--exclude-resource-type", "unit_test"]
    options = ["--indirect-selection", "cautious", "--vars", json.dumps(dbt_vars)]
    run_dbt(home.root, ["build", *selection, *options], home.root / "dbt_target")


def rows(home: Home, sql: str) -> list[tuple]:
    with warehouse.connect(home.warehouse) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(tmp_path))
    return Home(tmp_path).ensure()


def test_a_1_2_export_loads_with_roles_departments_blank_grades_and_co_teachers(
    home: Home,
) -> None:
    deliver(home, "oneroster_1_2")
    land(home)
    build(home, sis_local_id="userIds:district", sis_state_id="userIds:state")

    students = dict(
        (row[0], row[1:])
        for row in rows(
            home,
            "select s.first_name, s.local_id, s.state_id, s.grade_level, s.grade_source, "
            "s.is_active, sc.school_id from marts.dim_student s "
            "left join marts.dim_school sc on s.current_school_key = sc.school_key",
        )
    )
    # Role and school from roles.csv (1.2 users carry neither); IDs from userIds by the settings.
    assert students["Juno"] == (
        "310001",
        "7700000001",
        "Third grade",
        "users.grades",
        True,
        "5d1c0f7e-0000-4000-8000-000000000101",
    )
    # Blank grades: the homeroom's grade wins over the classes', else the classes' grade.
    assert students["Tamsin"][2:4] == ("Sixth grade", "homeroom")
    assert students["Piet"][2:4] == ("Sixth grade", "classes")
    # enabledUser=false: kept for linking history, not current.
    assert students["Mirela"][4] is False
    assert len(students) == 5

    teachers = dict(
        rows(
            home,
            "select t.first_name, s.school_id from marts.dim_teacher t "
            "join marts.dim_school s on t.school_key = s.school_key",
        )
    )
    # A teacher whose primary org is a department belongs to the department's school.
    assert teachers["Hester"] == "5d1c0f7e-0000-4000-8000-000000000201"
    # Only school orgs are schools: the district, the state and the department are not.
    assert rows(home, "select count(*) from marts.dim_school") == [(2,)]

    section = rows(
        home,
        "select t.first_name, st.is_primary, st.is_teacher_of_record, d.n_teachers "
        "from marts.fct_section_teacher st "
        "join marts.dim_section d using (section_key) "
        "join marts.dim_teacher t on st.teacher_key = t.teacher_key "
        "where d.section_id = 'cls-math6-02' order by 1",
    )
    assert section == [("Hester", True, True, 2), ("Rafe", False, False, 2)]
    assert rows(
        home,
        "select t.first_name from marts.dim_section d join marts.dim_teacher t using (teacher_key) "
        "where d.section_id = 'cls-math6-02'",
    ) == [("Hester",)]


def write_csv(path: Path, header: list[str], records: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(records)


def test_a_delta_users_file_updates_three_users_and_leaves_the_others(home: Home) -> None:
    folder = deliver(home, "oneroster_1_2")
    land(home)
    build(home)
    before = rows(home, "select user_id from staging.stg_sis__users order by 1")

    # The next night: users.csv as a delta (3 changed records) and roles.csv (the new user's
    # role), every other file absent.
    time.sleep(1.1)
    with (folder / "manifest.csv").open(encoding="utf-8") as handle:
        manifest = list(csv.DictReader(handle))
    for prop in manifest:
        if prop["propertyName"].startswith("file."):
            delta = prop["propertyName"] in ("file.users", "file.roles")
            prop["value"] = "delta" if delta else "absent"
    write_csv(folder / "manifest.csv", ["propertyName", "value"], manifest)
    for name in ("orgs", "academicSessions", "courses", "classes", "userProfiles"):
        (folder / f"{name}.csv").unlink()
    with (folder / "users.csv").open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, users = list(reader.fieldnames or []), {u["givenName"]: u for u in reader}
    ts = "2026-12-02T06:00:00.000Z"
    renamed = {**users["Juno"], "familyName": "Brambleworth-Ash", "dateLastModified": ts}
    deleted = {**users["Piet"], "status": "tobedeleted", "dateLastModified": ts}
    new = {
        **users["Odell"],
        "sourcedId": "a3f0c2d4-1111-4a00-9000-000000000099",
        "givenName": "Ysolde",
        "userIds": "{district:310099},{state:7700000099}",
        "dateLastModified": ts,
    }
    write_csv(folder / "users.csv", header, [renamed, deleted, new])
    (folder / "roles.csv").write_text(
        "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
        "orgSourcedId,userProfileSourcedId\n"
        f"rol-s-99,active,{ts},{new['sourcedId']},primary,student,2026-12-02,,"
        "5d1c0f7e-0000-4000-8000-000000000201,\n",
        encoding="utf-8",
    )
    land(home)
    build(home)

    after = rows(home, "select user_id, last_name from staging.stg_sis__users order by 1")
    kept = {user_id for (user_id,) in before} - {users["Piet"]["sourcedId"]}
    assert {user_id for user_id, _ in after} == kept | {new["sourcedId"]}
    assert dict(after)[users["Juno"]["sourcedId"]] == "Brambleworth-Ash"
    # Files the manifest calls absent keep their last load: the schools and sections stay.
    assert rows(home, "select count(*) from marts.dim_school") == [(2,)]
    assert rows(home, "select count(*) from marts.dim_section") == [(4,)]
    # Roles the delta does not name stay as the bulk delivered them: Juno is still a student.
    assert rows(
        home, "select count(*) from marts.dim_student where last_name = 'Brambleworth-Ash'"
    ) == [(1,)]
    # The bulk rows the delta replaced or deleted are not quarantined: raw in effect = staged +
    # quarantined + deleted.
    assert rows(home, "select count(*) from quarantine.quarantine_sis where entity = 'users'") == [
        (0,)
    ]


def test_a_1_1_delta_export_applies_status_and_org_types(home: Home) -> None:
    folder = deliver(home, "oneroster_1_1")
    # A department with no school above it, and classes at: a department under a school, that
    # loose department, and an org the export does not hold (a real 1.1 export whose only org
    # was a department failed the build with a dangling section school).
    stamp = "2026-11-30T22:15:04.120Z"
    with (folder / "orgs.csv").open("a", encoding="utf-8") as orgs:
        orgs.write(f"org-dept-loose,active,{stamp},Loose Department,department,,\n")
    with (folder / "classes.csv").open("a", encoding="utf-8") as classes:
        for section, org in [
            ("cls-dept-01", "org-dept-201-sci"),
            ("cls-loose-01", "org-dept-loose"),
            ("cls-nowhere-01", "org-s-999"),
        ]:
            classes.write(
                f"{section},active,{stamp},Extra,07,crs-sci7,X,scheduled,,{org},as-2027-s1,,,\n"
            )
    land(home)
    build(home)

    users = rows(home, "select user_id from staging.stg_sis__users order by 1")
    assert ("usr-s-50004",) not in users  # status tobedeleted: removed
    assert len(users) == 5
    classes = rows(home, "select section_id from marts.dim_section order by 1")
    assert ("cls-art-02",) not in classes and len(classes) == 4
    # A class at a department belongs to the school above it; one at an org that is no school
    # and has none above it, or at an org not delivered, is quarantined with the reason.
    assert rows(
        home,
        "select s.school_id from marts.dim_section d join marts.dim_school s using (school_key) "
        "where d.section_id = 'cls-dept-01'",
    ) == [("org-s-201",)]
    assert rows(
        home,
        "select line_number, reason from quarantine.quarantine_sis where entity = 'classes' "
        "and reason like '%org%' order by 1",
    ) == [(7, "org is not a school nor under one"), (8, "school not in orgs")]
    assert rows(
        home,
        "select count(*) from staging.stg_sis__enrollments where enrollment_id = 'enr-6'",
    ) == [(0,)]
    # The department org is tolerated and is no school; its teacher's school is the first org.
    assert rows(home, "select school_id from marts.dim_school order by 1") == [
        ("org-s-101",),
        ("org-s-201",),
    ]
    assert rows(
        home,
        "select count(*) from quarantine.quarantine_sis where reason = 'unknown org type'",
    ) == [(0,)]


def deliver_attendance_with_district_numbers(home: Home) -> None:
    """The OneRoster 1.2 fixture (GUID sourcedIds) beside an attendance student list carrying
    the district numbers its userIds hold, and the school crosswalk of that system."""
    deliver(home, "oneroster_1_2")
    attendance = home.landing / "attendance"
    attendance.mkdir(parents=True)
    # The attendance system's student list carries the district number, not the SIS GUID.
    header = "StuNum,LastName,FirstName,MiddleInit,BirthDate,Gender,Grade,SchoolCode,SisNumber"
    lines = [
        "A-1,Brambleworth,Juno,,05/02/2017,F,3,101,310001",
        "A-2,Quennel,Tamsin,R,02/11/2014,F,6,201,310002",
        "A-3,Weatherby,Odell,,09/30/2014,M,6,201,310003",
    ]
    (attendance / "students.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    # The district's school crosswalk: its attendance system's school codes to the SIS schools.
    crosswalks = home.root / "config" / "crosswalks"
    crosswalks.mkdir(parents=True, exist_ok=True)
    (crosswalks / "school_crosswalk.csv").write_text(
        "source_system,vendor_school,school_sourced_id,note\n"
        "attendance,101,5d1c0f7e-0000-4000-8000-000000000101,\n"
        "attendance,201,5d1c0f7e-0000-4000-8000-000000000201,\n",
        encoding="utf-8",
    )


def test_guid_sourced_ids_with_local_ids_in_userids_link_attendance(home: Home) -> None:
    deliver_attendance_with_district_numbers(home)
    land(home)
    links = (
        "select count(*) from intermediate.int_identity_matches "
        "where source_system = 'attendance' and match_rule = 'local_id'"
    )
    # With the default settings the local ID is the GUID sourcedId: the numbers link no one.
    build(home)
    assert rows(home, links) == [(0,)]

    build(home, sis_local_id="userIds:district", sis_state_id="userIds:state")

    matched = rows(
        home,
        "select m.source_person_id, m.match_rule, s.local_id "
        "from intermediate.int_identity_matches m join marts.dim_student s using (student_key) "
        "where m.source_system = 'attendance' order by 1",
    )
    assert [(p, rule) for p, rule, _ in matched] == [
        ("A-1", "local_id"),
        ("A-2", "local_id"),
        ("A-3", "local_id"),
    ]
