"""Row-level security by person: a role per teacher whose rules keep every student-level dataset
to the students of that teacher's current sections, and the data team's role, the only one that
reaches the database itself (SQL Lab).

A dataset in specs.yaml with a `teacher_filter` is one a teacher may read: the role gets
`datasource_access` on it and one rule per distinct clause, with {schema}, {teacher_key} and
{school_year} filled in. Every other dataset is out of a teacher's reach (403), wide-audience
aggregates included: those are for principals and the district. Principals use the school roles
of dashboards/publish.py; district staff the district role (no rules: every row).
"""

from __future__ import annotations

import logging

import prison

from dashboards.client import SupersetClient
from dashboards.publish import Publication
from dashboards.specs import Specs, load_specs

log = logging.getLogger(__name__)

TEACHER_ROLE = "districtwide teacher {username}"
DATA_TEAM_ROLE = "districtwide data team"


class RowSecurity:
    """Roles and rules of one publication (its datasets' ids), created or updated by name."""

    def __init__(
        self,
        client: SupersetClient,
        schema: str,
        publication: Publication,
        specs: Specs | None = None,
    ) -> None:
        self.client = client
        self.schema = schema
        self.publication = publication
        self.specs = specs or load_specs()
        self._access: dict[str, int] = {}

    def teacher_tables(self) -> dict[str, str]:
        """Dataset table -> its teacher_filter, for every dataset a teacher may read."""
        return {
            table: dataset.teacher_filter
            for table, dataset in self.specs.datasets.items()
            if dataset.teacher_filter
        }

    def access(self, table: str) -> int:
        """The id of datasource_access on the published dataset `table`."""
        if table not in self._access:
            dataset_id = self.publication.datasets[table]
            self._access[table] = self.client.permission_id(
                "datasource_access", f"[{self.specs.database}].[{table}](id:{dataset_id})"
            )
        return self._access[table]

    def teacher_role(self, username: str, teacher_key: int | None, school_year: int) -> int:
        """The teacher's own role: the teacher datasets, each kept to their current sections."""
        name = TEACHER_ROLE.format(username=username)
        role = self.client.role(name)
        tables = self.teacher_tables()
        self.client.set_role_permissions(role.id, name, [self.access(t) for t in tables])
        by_clause: dict[str, list[int]] = {}
        for table, clause in tables.items():
            text = clause.format(
                schema=self.schema,
                # A teacher the roster has without a key sees no student: the key is required.
                teacher_key=int(teacher_key) if teacher_key is not None else "null",
                school_year=int(school_year),
            )
            by_clause.setdefault(text, []).append(self.publication.datasets[table])
        for number, (clause, tables_ids) in enumerate(sorted(by_clause.items()), start=1):
            rule_name = f"{name} rule {number}"
            self.client.upsert(
                "rowlevelsecurity",
                f"row-level-security rule {rule_name!r}",
                {"name": rule_name},
                {
                    "name": rule_name,
                    "description": f"{username}: only the students of their {school_year} sections",
                    "filter_type": "Regular",
                    "tables": sorted(tables_ids),
                    "roles": [role.id],
                    "clause": clause,
                    "group_key": "",
                },
            )
        return role.id

    def data_team_role(self) -> int:
        """The district data team's role: access to the served database, which SQL Lab needs
        (Superset's own `sql_lab` role gives the SQL Lab screens and API)."""
        role = self.client.role(DATA_TEAM_ROLE)
        database = self.client.permission_id(
            "database_access", f"[{self.specs.database}].(id:{self.publication.database})"
        )
        self.client.set_role_permissions(role.id, DATA_TEAM_ROLE, [database])
        return role.id

    def remove_teacher_roles(self, keep: set[str]) -> list[str]:
        """Delete the rules and role of every teacher role not in `keep` (a teacher who left
        the roster or has no current section); the actions taken, for the sync's counts."""
        prefix = TEACHER_ROLE.format(username="")
        actions: list[str] = []
        for role in self._find("security/roles", "name", prefix):
            if role["name"] in keep:
                continue
            for rule in self._find("rowlevelsecurity", "name", f"{role['name']} rule "):
                self.client.request(
                    "DELETE",
                    f"/api/v1/rowlevelsecurity/{rule['id']}",
                    f"delete row-level-security rule {rule['name']!r}",
                )
                actions.append("rls rule deleted")
            self.client.request(
                "DELETE", f"/api/v1/security/roles/{role['id']}", f"delete role {role['name']!r}"
            )
            log.info("deleted role %r: the teacher is no longer in the roster", role["name"])
            actions.append("role deleted")
        return actions

    def _find(self, resource: str, column: str, prefix: str) -> list[dict]:
        """Every object of `resource` whose `column` starts with `prefix`, page by page."""
        found: list[dict] = []
        page = 0
        while True:
            query = prison.dumps(
                {
                    "filters": [{"col": column, "opr": "sw", "value": prefix}],
                    "page": page,
                    "page_size": 100,
                }
            )
            rows = self.client.request(
                "GET", f"/api/v1/{resource}/", f"look up {resource} {prefix}*", params={"q": query}
            ).get("result", [])
            found += [row for row in rows if row.get(column, "").startswith(prefix)]
            if len(rows) < 100:
                return found
            page += 1
