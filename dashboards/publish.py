"""Publish the served marts to Superset as specs.yaml declares them: one database connection
(read-only), a dataset per mart, the charts and dashboards, a district role that sees every
dataset and a role per school whose row-level-security rules keep it to that school's rows.

Everything is matched by name, so a second publish finds every object in place and changes
nothing. The order matters: datasets before the roles and permissions on them, roles before
the dashboards restricted to them, dashboards before the charts that name them, charts before
the dashboard layout that places them.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboards.client import SupersetClient, Upserted
from dashboards.errors import SupersetError
from dashboards.specs import Chart, Dashboard, Dataset, Specs, load_specs
from serving.served import COLUMNS_SQL, SCHOOLS_SQL, DuckDBServed, ServedMarts

log = logging.getLogger(__name__)

DISTRICT_ROLE = "districtwide district"
SCHOOL_ROLE = "districtwide school {school_id}"
# Chart sizes on the dashboard grid (12 columns; height in 8-pixel units).
GRAPH_WIDTH, GRAPH_HEIGHT, TABLE_HEIGHT = 6, 50, 60


@dataclass
class Publication:
    """Ids of every published object, and how many were created, updated or left unchanged."""

    database: int = 0
    datasets: dict[str, int] = field(default_factory=dict)
    charts: dict[str, int] = field(default_factory=dict)
    dashboards: dict[str, int] = field(default_factory=dict)
    roles: dict[str, int] = field(default_factory=dict)
    rls_rules: dict[str, int] = field(default_factory=dict)
    # Each dataset's columns (which charts a picker reaches).
    columns: dict[str, list[str]] = field(default_factory=dict)
    actions: Counter = field(default_factory=Counter)

    def note(self, kind: str, result: Upserted | str) -> None:
        self.actions[f"{kind} {result if isinstance(result, str) else result.action}"] += 1

    @property
    def changed(self) -> int:
        return sum(n for key, n in self.actions.items() if not key.endswith("unchanged"))


def served_schools(served: ServedMarts) -> list[tuple[str, str]]:
    """(school_id, school_name) of every school in the served marts: one role each."""
    return served.query(SCHOOLS_SQL.format(schema=served.schema))


def served_columns(served: ServedMarts, tables: list[str]) -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {table: [] for table in tables}
    for table, column in served.query(COLUMNS_SQL.format(schema=served.schema)):
        if table in columns:
            columns[table].append(column)
    return columns


def publish_dashboards(
    client: SupersetClient, served: ServedMarts | Path, specs: Specs | None = None
) -> Publication:
    """Create or update every object of `specs` over the served marts: a DuckDB serving file's
    path, or any ServedMarts (serving/served.py, e.g. PostgreSQL)."""
    if isinstance(served, Path):
        served = DuckDBServed(served)
    specs = specs or load_specs()
    result = Publication()
    _database(client, specs, served, result)
    _datasets(client, specs, served, result)
    _roles(client, specs, served_schools(served), result)
    for board in specs.dashboards:
        _dashboard(client, board, result, layout=False)
    for chart in specs.charts:
        boards = [result.dashboards[board.slug] for board in specs.boards_of(chart)]
        _chart(client, chart, boards, result)
    for board in specs.dashboards:
        _unlink_strays(client, board, result)
        _dashboard(client, board, result, layout=True)
    log.info("published to Superset: %s", dict(sorted(result.actions.items())))
    return result


def _database(
    client: SupersetClient, specs: Specs, served: ServedMarts, result: Publication
) -> None:
    body = {
        "database_name": specs.database,
        "sqlalchemy_uri": served.sqlalchemy_uri(),
        "expose_in_sqllab": True,
        "allow_run_async": False,
        "allow_dml": False,
        "allow_file_upload": False,
        "extra": served.extra(),
    }
    found = client.upsert(
        "database",
        f"database {specs.database!r}",
        {"database_name": specs.database},
        body,
        read="connection",
    )
    result.database = found.id
    result.note("database", found)


def _datasets(
    client: SupersetClient, specs: Specs, served: ServedMarts, result: Publication
) -> None:
    columns = served_columns(served, list(specs.datasets))
    result.columns = columns
    for table in specs.datasets:
        what = f"dataset {served.schema}.{table}"
        if not columns[table]:
            raise SupersetError(
                what, "served marts", None, f"no table {served.schema}.{table} in {served}"
            )
        matches = [
            item
            for item in client.find("dataset", what, table_name=table, schema=served.schema)
            if item.get("database", {}).get("id") == result.database
        ]
        body = {"database": result.database, "schema": served.schema, "table_name": table}
        found = client.upsert(
            "dataset", what, {}, body, matches=matches, update={"table_name": table}
        )
        result.datasets[table] = found.id
        result.note("dataset", found)
        # A mart that gained or lost a column: Superset re-reads the table's columns.
        current = (
            found.current
            or client.request("GET", f"/api/v1/dataset/{found.id}", f"read {what}")["result"]
        )
        if sorted(c["column_name"] for c in current["columns"]) != sorted(columns[table]):
            client.request(
                "PUT", f"/api/v1/dataset/{found.id}/refresh", f"refresh columns of {what}"
            )
            result.note("dataset columns", "updated")
            current = None
        result.note(
            "dataset labels", _labels(client, found.id, what, specs.datasets[table], current)
        )


def _labels(
    client: SupersetClient,
    dataset_id: int,
    what: str,
    dataset: Dataset,
    current: dict[str, Any] | None,
) -> str:
    """Each column's verbose name (the table headers, tooltips and filter names a person reads):
    the spec's label, else the column name in words. Superset replaces a dataset's columns with
    the list a PUT sends, so every column goes with its id and name."""
    if current is None:
        current = client.request("GET", f"/api/v1/dataset/{dataset_id}", f"read {what}")["result"]
    columns = [
        {
            "id": c["id"],
            "column_name": c["column_name"],
            "verbose_name": dataset.label(c["column_name"]),
        }
        for c in current["columns"]
    ]
    if all(c.get("verbose_name") == dataset.label(c["column_name"]) for c in current["columns"]):
        return "unchanged"
    client.request(
        "PUT",
        f"/api/v1/dataset/{dataset_id}",
        f"label columns of {what}",
        json={"columns": columns},
    )
    return "updated"


def _chart(
    client: SupersetClient, chart: Chart, dashboard_ids: list[int], result: Publication
) -> None:
    dataset_id = result.datasets[chart.dataset]
    body = {
        "slice_name": chart.title,
        "viz_type": chart.viz_type,
        "datasource_id": dataset_id,
        "datasource_type": "table",
        "params": json.dumps(chart.form_data(dataset_id), sort_keys=True),
        "query_context": json.dumps(chart.query_context(dataset_id), sort_keys=True),
        "dashboards": sorted(dashboard_ids),
    }
    found = client.upsert(
        "chart",
        f"chart {chart.title!r}",
        {"slice_name": chart.title},
        body,
        whole=("params", "query_context"),
    )
    result.charts[chart.title] = found.id
    result.note("chart", found)


def _unlink_strays(client: SupersetClient, board: Dashboard, result: Publication) -> None:
    """Take charts the spec no longer places (renamed or removed) off the dashboard: Superset
    would otherwise append them below the layout. The charts themselves are kept."""
    dashboard_id = result.dashboards[board.slug]
    wanted = {result.charts[chart.title] for chart in board.charts}
    linked = client.request(
        "GET", f"/api/v1/dashboard/{dashboard_id}/charts", f"charts of dashboard {board.slug!r}"
    )["result"]
    for stray in (chart for chart in linked if chart["id"] not in wanted):
        what = f"chart {stray['slice_name']!r} on dashboard {board.slug!r}"
        current = client.request("GET", f"/api/v1/chart/{stray['id']}", f"read {what}")["result"]
        others = [d["id"] for d in current["dashboards"] if d["id"] != dashboard_id]
        client.request(
            "PUT", f"/api/v1/chart/{stray['id']}", f"unlink {what}", json={"dashboards": others}
        )
        log.info("took %s off the dashboard (not in specs.yaml)", what)
        result.note("chart", "unlinked")


def _dashboard(
    client: SupersetClient, board: Dashboard, result: Publication, *, layout: bool
) -> None:
    body: dict[str, Any] = {
        "dashboard_title": board.title,
        "slug": board.slug,
        "published": True,
        # Superset's dashboard roles (DASHBOARD_RBAC): a district-only dashboard is not even
        # listed for a school role; the others are open to whoever may read their datasets.
        "roles": [result.roles[DISTRICT_ROLE]] if board.district_only else [],
    }
    if layout:
        body["position_json"] = json.dumps(position(board, result.charts), sort_keys=True)
        body["json_metadata"] = json.dumps(
            {
                "color_scheme": "supersetColors",
                "refresh_frequency": 0,
                "cross_filters_enabled": False,
                "native_filter_configuration": native_filters(board, result),
                "timed_refresh_immune_slices": [],
                "expanded_slices": {},
            }
            # A picker's bar above the charts, not beside them: tables keep the page's width.
            | ({"filter_bar_orientation": "HORIZONTAL"} if board.pickers else {}),
            sort_keys=True,
        )
    found = client.upsert("dashboard", f"dashboard {board.slug!r}", {"slug": board.slug}, body)
    result.dashboards[board.slug] = found.id
    if layout or found.action != "unchanged":
        result.note("dashboard", found)


def native_filters(board: Dashboard, result: Publication) -> list[dict[str, Any]]:
    """Superset's native filter configuration for the board's pickers: a select filter on the
    picker's column, in scope of every chart whose dataset has that column."""
    filters = []
    for picker in board.pickers:
        reached = [c for c in board.charts if picker.column in result.columns.get(c.dataset, [])]
        excluded = [result.charts[c.title] for c in board.charts if c not in reached]
        filters.append(
            {
                "id": f"NATIVE_FILTER-{board.slug}-{picker.column}",
                "name": picker.label,
                "type": "NATIVE_FILTER",
                "filterType": "filter_select",
                "targets": [
                    {
                        "datasetId": result.datasets[picker.dataset],
                        "column": {"name": picker.column},
                    }
                ],
                "controlValues": {
                    "enableEmptyFilter": False,
                    "defaultToFirstItem": False,
                    "multiSelect": False,
                    "searchAllOptions": True,
                    "inverseSelection": False,
                },
                "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
                "cascadeParentIds": [],
                "scope": {"rootPath": ["ROOT_ID"], "excluded": sorted(excluded)},
                "chartsInScope": sorted(result.charts[c.title] for c in reached),
                "tabsInScope": [],
                "description": "",
            }
        )
    return filters


def position(board: Dashboard, chart_ids: dict[str, int]) -> dict[str, Any]:
    """Superset's v2 layout tree: graphs two to a row, tables a row each, in spec order."""
    tree: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "HEADER_ID": {"type": "HEADER", "id": "HEADER_ID", "meta": {"text": board.title}},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
    }
    rows: list[list[Chart]] = []
    for chart in board.charts:
        if chart.kind != "table" and rows and len(rows[-1]) == 1 and rows[-1][0].kind != "table":
            rows[-1].append(chart)
        else:
            rows.append([chart])
    for number, row in enumerate(rows, start=1):
        row_id = f"ROW-{number}"
        tree["GRID_ID"]["children"].append(row_id)
        tree[row_id] = {
            "type": "ROW",
            "id": row_id,
            "children": [],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        for chart in row:
            chart_id = chart_ids[chart.title]
            node_id = f"CHART-{chart_id}"
            tree[row_id]["children"].append(node_id)
            tree[node_id] = {
                "type": "CHART",
                "id": node_id,
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID", row_id],
                "meta": {
                    "chartId": chart_id,
                    "sliceName": chart.title,
                    "width": 12 if chart.kind == "table" or len(row) == 1 else GRAPH_WIDTH,
                    "height": chart.height
                    or (TABLE_HEIGHT if chart.kind == "table" else GRAPH_HEIGHT),
                },
            }
    return tree


def _roles(
    client: SupersetClient, specs: Specs, schools: list[tuple[str, str]], result: Publication
) -> None:
    """The district role reads every dataset; a school role reads the school datasets, filtered."""
    access = {
        table: client.permission_id(
            "datasource_access", f"[{specs.database}].[{table}](id:{dataset_id})"
        )
        for table, dataset_id in result.datasets.items()
    }
    district = client.role(DISTRICT_ROLE)
    result.roles[DISTRICT_ROLE] = district.id
    result.note("role", district)
    result.note(
        "role permissions",
        client.set_role_permissions(district.id, DISTRICT_ROLE, list(access.values())),
    )

    school_tables = {
        table: dataset for table, dataset in specs.datasets.items() if dataset.school_filter
    }
    shared = [table for table, dataset in specs.datasets.items() if dataset.shared]
    for school_id, school_name in schools:
        name = SCHOOL_ROLE.format(school_id=school_id)
        role = client.role(name)
        result.roles[name] = role.id
        result.note("role", role)
        permissions = [access[table] for table in [*school_tables, *shared]]
        result.note("role permissions", client.set_role_permissions(role.id, name, permissions))
        # One rule per distinct clause, covering every dataset that uses it.
        by_clause: dict[str, list[int]] = {}
        for table, dataset in school_tables.items():
            clause = dataset.school_filter.format(school_id=school_id.replace("'", "''"))
            by_clause.setdefault(clause, []).append(result.datasets[table])
        for number, (clause, tables) in enumerate(sorted(by_clause.items()), start=1):
            rule_name = f"{name} rule {number}"
            body = {
                "name": rule_name,
                "description": f"{school_name}: only this school's rows",
                "filter_type": "Regular",
                "tables": sorted(tables),
                "roles": [role.id],
                "clause": clause,
                # One group: a principal of two schools sees both (rules in a group are ORed;
                # ungrouped rules would be ANDed, leaving no row).
                "group_key": "school",
            }
            rule = client.upsert(
                "rowlevelsecurity",
                f"row-level-security rule {rule_name!r}",
                {"name": rule_name},
                body,
            )
            result.rls_rules[rule_name] = rule.id
            result.note("rls rule", rule)
