"""Each person sees what they need, on a real Superset: the roster's teachers, a principal, the
district office and its data team published as users from the 1,500-student test district, then
logged in as each. A teacher reads only their current sections' students, in every dataset open
to them, and no other dataset; a principal no other school's rows; SQL Lab answers only the data
team; a teacher who leaves the roster cannot log in after the next publish.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from dashboards.client import SupersetClient, SupersetError
from dashboards.people import (
    FORMER_ROLE,
    ROSTER_ROLE,
    PeopleSync,
    Person,
    publish_people,
    roster_people,
    sync_people,
)
from dashboards.publish import Publication, publish_dashboards
from dashboards.row_security import TEACHER_ROLE
from dashboards.specs import load_specs
from devtools.superset_server import start
from serving.served import DuckDBServed
from tests.conftest import District
from tests.integration.conftest import clone_home, superset_settings

SPECS = load_specs()
SPECS_BOARDS = {board.slug: board for board in SPECS.dashboards}
TEACHER_TABLES = sorted(t for t, d in SPECS.datasets.items() if d.teacher_filter)
SCHOOL_TABLES = sorted(t for t, d in SPECS.datasets.items() if d.school_filter)
PASSWORD = "Roster-Passw0rd!"  # noqa: S105 - the test's own users on a loopback server
PRINCIPAL, OFFICE, DATA_TEAM = (
    "principal.one@district.example",
    "office@district.example",
    "data.team@district.example",
)
# The students of a teacher's current sections, co-teachers included (as fct_section_teacher).
TEACHER_STUDENTS = """
select distinct enrolments.student_key
from marts.fct_section_enrollment as enrolments
inner join marts.fct_section_teacher as teaching on enrolments.section_key = teaching.section_key
where teaching.teacher_key = ?
    and teaching.school_year = (select max(school_year) from marts.dim_section)
"""


@dataclass
class Access:
    publication: Publication
    sync: PeopleSync
    people: list[Person]
    teacher: Person
    school_id: str
    people_file: Path


def served(district: District, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(district.home.serving), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def superset(superset_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """A Superset of this module's own: the people it syncs, their passwords and roles, must
    not meet users another module's publication made first on the shared server (with two
    pytest workers the order of modules on one server varies)."""
    home = clone_home(superset_template, tmp_path_factory.mktemp("superset-access"))
    with start(superset_settings(home)) as server:
        yield server


@pytest.fixture(scope="module")
def admin(superset) -> SupersetClient:
    return SupersetClient(superset.base_url, superset.admin_user, superset.admin_password).login()


@pytest.fixture(scope="module")
def access(admin: SupersetClient, district: District, tmp_path_factory) -> Access:
    """The dashboards and the people published once; a principal of the first school."""
    [(school_id,)] = served(district, "select min(school_id) from marts.dim_school")
    people_file = tmp_path_factory.mktemp("people") / "people.csv"
    people_file.write_text(
        "email,access,school_id\n"
        f"{PRINCIPAL},principal,{school_id}\n{OFFICE},district,\n{DATA_TEAM},data_team,\n"
    )
    publication = publish_dashboards(admin, district.home.serving)
    source = DuckDBServed(district.home.serving)
    sync = publish_people(admin, source, publication, people_file, password=PASSWORD)
    people = roster_people(source, people_file)
    # The teacher with the most current students (secondary: several sections).
    teachers = [p for p in people if p.access == "teacher"]
    teacher = max(
        teachers, key=lambda p: (len(served(district, TEACHER_STUDENTS, p.teacher_key)), p.username)
    )
    return Access(publication, sync, people, teacher, school_id, people_file)


def login(superset, username: str) -> SupersetClient:
    return SupersetClient(superset.base_url, username, PASSWORD).login()


def dataset_rows(client: SupersetClient, access: Access, table: str, columns: list[str]) -> list:
    """Every row of a dataset this user may read (raw query through the chart data API)."""
    body = {
        "datasource": {"id": access.publication.datasets[table], "type": "table"},
        # No `metrics` key at all: Superset groups by the columns when metrics is a list, even
        # an empty one, and the test counts rows, not distinct values.
        "queries": [{"columns": columns, "row_limit": 50_000, "orderby": []}],
        "result_format": "json",
        "result_type": "full",
        "force": True,
    }
    answer = client.request("POST", "/api/v1/chart/data", f"rows of {table}", json=body)
    return [tuple(row[c] for c in columns) for row in answer["result"][0]["data"]]


def test_the_roster_becomes_users(admin, access, district):
    teachers = served(
        district,
        "select count(distinct teacher_key) from marts.fct_section_teacher "
        "where school_year = (select max(school_year) from marts.dim_section)",
    )[0][0]
    assert sum(p.access == "teacher" for p in access.people) == teachers > 0
    assert set(access.sync.users) == {p.username for p in access.people}
    [principal] = [p for p in access.people if p.username == PRINCIPAL]
    assert principal.principal_of == (access.school_id,)
    # A username is the roster's email; no student is ever a user.
    student_ids = {row[0] for row in served(district, "select local_id from marts.dim_student")}
    assert all("@" in name and name.split("@")[0] not in student_ids for name in access.sync.users)
    user_id = access.sync.users[access.teacher.username]
    user = admin.request("GET", f"/api/v1/security/users/{user_id}", "teacher")
    roles = {role["name"] for role in user["result"]["roles"]}
    assert roles == {"Gamma", ROSTER_ROLE, TEACHER_ROLE.format(username=access.teacher.username)}


def test_a_teacher_sees_only_their_sections_students(superset, access, district):
    teacher = login(superset, access.teacher.username)
    mine = {row[0] for row in served(district, TEACHER_STUDENTS, access.teacher.teacher_key)}
    assert len(mine) >= 10
    for table in TEACHER_TABLES:
        rows = dataset_rows(teacher, access, table, ["student_key"])
        seen = {row[0] for row in rows}
        assert seen and seen <= mine, f"{table}: rows of {len(seen - mine)} other students"
        # Exactly their students' rows: as many as the served table holds for them.
        placeholders = ", ".join("?" for _ in mine)
        expected = served(
            district,
            f"select count(*) from marts.{table} where student_key in ({placeholders})"
            + (
                " and section_key in (select section_key from marts.fct_section_teacher "
                "where teacher_key = ?)"
                if table == "rpt_section_students"
                else ""
            ),
            *mine,
            *([access.teacher.teacher_key] if table == "rpt_section_students" else []),
        )[0][0]
        assert len(rows) == expected, table
    profile = {r[0] for r in dataset_rows(teacher, access, "rpt_student_profile", ["student_key"])}
    current = {
        row[0] for row in served(district, "select student_key from marts.rpt_student_profile")
    }
    assert profile == mine & current
    # The shared "data as of" line is read whole; every other dataset, the wide-audience
    # aggregates included, is refused.
    shared = {table for table, dataset in SPECS.datasets.items() if dataset.shared}
    for table in sorted(shared):
        assert dataset_rows(teacher, access, table, ["source_name"]), table
    first_columns = dict(
        served(
            district,
            "select table_name, min_by(column_name, ordinal_position) "
            "from information_schema.columns where table_schema = 'marts' group by 1",
        )
    )
    for table in sorted(set(SPECS.datasets) - set(TEACHER_TABLES) - shared):
        with pytest.raises(SupersetError) as refused:
            dataset_rows(teacher, access, table, [first_columns[table]])
        assert refused.value.status in (403, 404), table


def test_a_principal_sees_only_their_school(superset, access, district):
    principal = login(superset, PRINCIPAL)
    office = login(superset, OFFICE)
    for table in SCHOOL_TABLES:
        column = (
            "current_school_id"
            if "current_school_id" in SPECS.datasets[table].school_filter
            else "school_id"
        )
        rows = dataset_rows(principal, access, table, [column])
        values = {row[0] for row in rows}
        # District rows (school_id NULL: goals, trends) are every school's.
        district_rows = "or school_id is null" in SPECS.datasets[table].school_filter
        expected = served(
            district,
            f"select count(*) from marts.{table} where {column} = ? "
            + ("or school_id is null" if district_rows else ""),
            access.school_id,
        )[0][0]
        assert len(rows) == expected, table
        # Growth from one fall to the next has no rows in a one-year district.
        assert values - {None} == ({access.school_id} if expected else set()), f"{table}: {values}"
        # The district office reads every row.
        total = served(district, f"select count(*) from marts.{table}")[0][0]
        assert len(dataset_rows(office, access, table, [column])) == total, table


def test_sql_lab_answers_only_the_data_team(superset, access):
    body = {
        "database_id": access.publication.database,
        "sql": "select count(*) as n from marts.dim_student",
        "schema": "marts",
        "runAsync": False,
        "tab": "test",
    }
    for username in (access.teacher.username, PRINCIPAL, OFFICE):
        with pytest.raises(SupersetError) as refused:
            login(superset, username).request("POST", "/api/v1/sqllab/execute/", "sql", json=body)
        assert refused.value.status == 403, username
    answer = login(superset, DATA_TEAM).request("POST", "/api/v1/sqllab/execute/", "sql", json=body)
    assert answer["data"][0]["n"] == 1500


def test_the_student_picker_offers_a_teacher_only_their_students(superset, admin, access, district):
    """The student profile's picker: a select filter on the student's name, in scope of every
    chart but the "data as of" line; its choices, asked as the page asks them, are the teacher's
    own students; a pick narrows a chart to that student, and a name not theirs to nothing."""
    board = SPECS_BOARDS["student-profile"]
    dashboard = admin.request("GET", "/api/v1/dashboard/student-profile", "profile")["result"]
    [picker] = json.loads(dashboard["json_metadata"])["native_filter_configuration"]
    profile_dataset = access.publication.datasets["rpt_student_profile"]
    assert picker["filterType"] == "filter_select"
    assert picker["targets"] == [{"datasetId": profile_dataset, "column": {"name": "student_name"}}]
    charts = {c.title: access.publication.charts[c.title] for c in board.charts}
    assert sorted(picker["chartsInScope"]) == sorted(
        chart_id for title, chart_id in charts.items() if title != "Data as of"
    )
    assert picker["scope"]["excluded"] == [charts["Data as of"]]

    teacher = login(superset, access.teacher.username)
    # The filter's own query, as the dashboard posts it: the column's distinct values.
    options = {
        "datasource": {"id": profile_dataset, "type": "table"},
        "queries": [
            {
                "columns": ["student_name"],
                "metrics": [],
                "row_limit": 1000,
                "orderby": [["student_name", True]],
            }
        ],
        "result_format": "json",
        "result_type": "full",
        "force": True,
    }
    answer = teacher.request("POST", "/api/v1/chart/data", "picker choices", json=options)
    choices = {row["student_name"] for row in answer["result"][0]["data"]}
    mine = [row[0] for row in served(district, TEACHER_STUDENTS, access.teacher.teacher_key)]
    placeholders = ", ".join("?" for _ in mine)
    names = {
        row[0]
        for row in served(
            district,
            f"select student_name from marts.rpt_student_profile "
            f"where student_key in ({placeholders})",
            *mine,
        )
    }
    assert choices == names and len(choices) >= 10
    everyone = {
        row[0] for row in served(district, "select student_name from marts.rpt_student_profile")
    }
    stranger = min(everyone - names)

    # A pick adds the filter to each chart's query (the dashboard's extra form data).
    chart = "Early-warning flags and absences this year"
    saved = admin.request("GET", f"/api/v1/chart/{charts[chart]}", chart)["result"]
    for name, expected in ((min(names), 1), (stranger, 0)):
        context = json.loads(saved["query_context"])
        for query in context["queries"]:  # the page and its row count alike
            query["filters"].append({"col": "student_name", "op": "IN", "val": [name]})
        rows = teacher.chart_data_query(context, chart)
        assert {row["student_name"] for row in rows} <= {name}
        assert (len(rows) >= 1) == bool(expected), name


def test_publishing_people_again_changes_nothing(admin, access, district):
    source = DuckDBServed(district.home.serving)
    again = publish_people(admin, source, access.publication, access.people_file)
    assert again.changed == 0, again.actions
    assert again.users == access.sync.users and again.deactivated == []


def test_a_teacher_who_leaves_the_roster_cannot_log_in(superset, admin, access, district):
    assert login(superset, access.teacher.username)
    remaining = [p for p in access.people if p.username != access.teacher.username]
    year = served(district, "select max(school_year) from marts.dim_section")[0][0]
    result = sync_people(admin, "marts", access.publication, remaining, year)
    assert result.deactivated == [access.teacher.username]
    with pytest.raises(SupersetError) as refused:
        login(superset, access.teacher.username)
    assert refused.value.status == 401
    user = admin.request(
        "GET", f"/api/v1/security/users/{access.sync.users[access.teacher.username]}", "user"
    )["result"]
    assert user["active"] is False
    assert [role["name"] for role in user["roles"]] == [FORMER_ROLE]
    role = TEACHER_ROLE.format(username=access.teacher.username)
    assert admin.find("security/roles", role, name=role) == []
