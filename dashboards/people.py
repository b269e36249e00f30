"""Who may log in to Superset, and as what: the people of the roster, synced on every publish.

Teachers come from the served SIS marts: a teacher (dim_teacher) with a section of the current
school year (fct_section_teacher, the latest year of dim_section) is a user whose data role is
their own (dashboards/row_security.py keeps it to their sections' students). The synthetic SIS,
like many real exports, carries no administrators, so principals and the district office come
from a small file the district keeps, `$DISTRICTWIDE_HOME/config/people.csv` (docs/access.md):
`email,access,school_id` with access `principal` (school_id required), `district` or
`data_team` (the district's data team, the only people with SQL Lab).

A username is the person's roster email, lower-cased: the same key an identity provider sends
(docs/access.md). No student is ever a user. Every user made here holds ROSTER_ROLE; a holder
of it who is no longer in the roster is deactivated on the next publish, every role replaced by
FORMER_ROLE, which grants nothing.
"""

from __future__ import annotations

import csv
import logging
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import prison

from dashboards.client import SupersetClient
from dashboards.publish import DISTRICT_ROLE, SCHOOL_ROLE, Publication
from dashboards.row_security import TEACHER_ROLE, RowSecurity
from serving.served import ServedMarts

log = logging.getLogger(__name__)

# Held by every user this module manages (no permissions): how a leaver is found.
ROSTER_ROLE = "districtwide roster"
# A leaver's only role (no permissions): Superset refuses a user with no role at all.
FORMER_ROLE = "districtwide former"
# Superset's own role for the UI (dashboards, charts) without any data or SQL Lab.
BASE_ROLE = "Gamma"
# Superset's own role for SQL Lab; only the data team gets it.
SQL_LAB_ROLE = "sql_lab"
# The password every new local user gets (the demo); unset, new users get an unusable random
# one and log in through the district's identity provider or after an admin sets one.
PASSWORD_ENV = "DISTRICTWIDE_SUPERSET_PEOPLE_PASSWORD"
PEOPLE_FILE = Path("config") / "people.csv"
ACCESS = ("principal", "district", "data_team")

TEACHERS_SQL = """
with current_year as (select max(school_year) as school_year from {schema}.dim_section)
select distinct
    lower(trim(teachers.email)) as username,
    teachers.first_name,
    teachers.last_name,
    teachers.teacher_key
from {schema}.dim_teacher as teachers
inner join {schema}.fct_section_teacher as section_teachers
    on teachers.teacher_key = section_teachers.teacher_key
inner join current_year on section_teachers.school_year = current_year.school_year
where teachers.email like '%_@_%'
order by 1
"""
CURRENT_YEAR_SQL = "select max(school_year) from {schema}.dim_section"


class PeopleFileError(ValueError):
    """people.csv says something that cannot be granted; the message names the line."""


@dataclass(frozen=True)
class Person:
    """One login and what it may see: the broadest of district, principal, teacher applies."""

    username: str
    first_name: str = ""
    last_name: str = ""
    teacher_key: int | None = None
    principal_of: tuple[str, ...] = ()
    district: bool = False
    data_team: bool = False

    @property
    def access(self) -> str:
        if self.data_team:
            return "data_team"
        if self.district:
            return "district"
        return "principal" if self.principal_of else "teacher"


@dataclass
class PeopleSync:
    """What a sync did: users by username, who was deactivated, actions counted."""

    users: dict[str, int] = field(default_factory=dict)
    deactivated: list[str] = field(default_factory=list)
    actions: dict[str, int] = field(default_factory=dict)

    def note(self, key: str) -> None:
        self.actions[key] = self.actions.get(key, 0) + 1

    @property
    def changed(self) -> int:
        return sum(n for key, n in self.actions.items() if not key.endswith("unchanged"))


def roster_people(served: ServedMarts, people_file: Path | None = None) -> list[Person]:
    """The roster's teachers with current sections, merged with the people file's staff."""
    people: dict[str, Person] = {}
    for username, first, last, teacher_key in served.query(
        TEACHERS_SQL.format(schema=served.schema)
    ):
        people[username] = Person(username, first or "", last or "", int(teacher_key))
    for row in read_people_file(people_file) if people_file else []:
        username = row["email"].strip().lower()
        known = people.get(username, Person(username))
        if row["access"] == "principal":
            known = replace(known, principal_of=(*known.principal_of, row["school_id"].strip()))
        elif row["access"] == "district":
            known = replace(known, district=True)
        else:
            known = replace(known, data_team=True)
        people[username] = known
    return sorted(people.values(), key=lambda p: p.username)


def read_people_file(path: Path) -> list[dict[str, str]]:
    """people.csv rows, checked: an email, a known access, a school for a principal."""
    if not path.is_file():
        log.info("no people file at %s: only the roster's teachers get users", path)
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=2):
        email, access = (row.get("email") or "").strip(), (row.get("access") or "").strip()
        if "@" not in email:
            raise PeopleFileError(f"{path}, line {number}: email {email!r} is not an address")
        if access not in ACCESS:
            raise PeopleFileError(
                f"{path}, line {number}: access {access!r} is not one of {ACCESS}"
            )
        if access == "principal" and not (row.get("school_id") or "").strip():
            raise PeopleFileError(f"{path}, line {number}: a principal needs a school_id")
        row["access"] = access
    return rows


def publish_people(
    client: SupersetClient,
    served: ServedMarts,
    publication: Publication,
    people_file: Path | None = None,
    *,
    password: str | None = None,
) -> PeopleSync:
    """Sync users and their data roles with the roster after `publish_dashboards`."""
    people = roster_people(served, people_file)
    year = served.query(CURRENT_YEAR_SQL.format(schema=served.schema))[0][0]
    return sync_people(client, served.schema, publication, people, year, password=password)


def sync_people(
    client: SupersetClient,
    schema: str,
    publication: Publication,
    people: Iterable[Person],
    school_year: int,
    *,
    password: str | None = None,
) -> PeopleSync:
    """Make Superset's managed users exactly `people`: create or update each with its roles;
    deactivate (and strip of every role) a managed user no longer among them."""
    people = list(people)
    result = PeopleSync()
    security = RowSecurity(client, schema, publication)
    roster = client.role(ROSTER_ROLE)
    result.note(f"role {roster.action}")
    base = [client.role_id(BASE_ROLE), roster.id]
    data_team = [security.data_team_role(), client.role_id(SQL_LAB_ROLE)]
    teachers = {p.teacher_key for p in people if p.access == "teacher" and p.teacher_key}
    for person in people:
        roles = list(base)
        if person.access in ("district", "data_team"):
            roles.append(publication.roles[DISTRICT_ROLE])
            if person.data_team:
                roles += data_team
        elif person.access == "principal":
            roles += [_school_role(publication, school) for school in person.principal_of]
        else:
            roles.append(security.teacher_role(person.username, person.teacher_key, school_year))
        found = _user(client, person, roles, password)
        result.users[person.username] = found.id
        result.note(f"user {found.action}")
    former: int | None = None
    for username, user_id in _managed_users(client, roster.id):
        if username not in result.users:
            former = former or client.role(FORMER_ROLE).id
            client.request(
                "PUT",
                f"/api/v1/security/users/{user_id}",
                f"deactivate user {username!r}",
                json={"active": False, "roles": [former]},
            )
            log.info("deactivated Superset user %r: no longer in the roster", username)
            result.deactivated.append(username)
            result.note("user deactivated")
    for action in security.remove_teacher_roles(
        keep={TEACHER_ROLE.format(username=p.username) for p in people if p.teacher_key in teachers}
    ):
        result.note(action)
    log.info("synced Superset users with the roster: %s", dict(sorted(result.actions.items())))
    return result


def _school_role(publication: Publication, school_id: str) -> int:
    name = SCHOOL_ROLE.format(school_id=school_id)
    if name not in publication.roles:
        raise PeopleFileError(f"people file: school_id {school_id!r} is not a school of the SIS")
    return publication.roles[name]


def _user(client: SupersetClient, person: Person, roles: list[int], password: str | None):
    body: dict[str, Any] = {
        "first_name": person.first_name or person.username.split("@")[0],
        "last_name": person.last_name or "-",
        "username": person.username,
        "email": person.username,
        "active": True,
        "roles": sorted(set(roles)),
    }
    # Only on creation: a password the person or an admin set later is never overwritten.
    first = password or os.environ.get(PASSWORD_ENV) or secrets.token_urlsafe(32)
    return client.upsert(
        "security/users",
        f"user {person.username!r}",
        {"username": person.username},
        body | {"password": first},
        update=body,
    )


def _managed_users(client: SupersetClient, roster_role_id: int) -> list[tuple[str, int]]:
    """(username, id) of every user holding ROSTER_ROLE, page by page."""
    users: list[tuple[str, int]] = []
    page = 0
    while True:
        query = prison.dumps(
            {
                "filters": [{"col": "roles", "opr": "rel_m_m", "value": roster_role_id}],
                "columns": ["id", "username"],
                "page": page,
                "page_size": 100,
            }
        )
        answer = client.request(
            "GET", "/api/v1/security/users/", "list roster users", params={"q": query}
        )
        rows = answer.get("result", [])
        users += [(row["username"], int(row["id"])) for row in rows]
        if len(rows) < 100:
            return users
        page += 1


__all__ = [
    "PASSWORD_ENV",
    "PEOPLE_FILE",
    "FORMER_ROLE",
    "ROSTER_ROLE",
    "Person",
    "PeopleSync",
    "publish_people",
    "roster_people",
    "sync_people",
]
