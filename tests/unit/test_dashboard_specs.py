"""The dashboard specs and the client's pure parts: what they promise without a server."""

from __future__ import annotations

import json
from pathlib import Path

import prison
import pytest

from dashboards.client import differs
from dashboards.publish import position
from dashboards.specs import SpecError, load_specs

REPO = Path(__file__).resolve().parents[2]
REPORTING = REPO / "dbt_project" / "models" / "marts" / "reporting"


def test_specs_cover_the_seven_dashboards_and_name_real_models():
    specs = load_specs()
    assert [b.slug for b in specs.dashboards][:4] == [
        "attendance",
        "achievement",
        "improvement-plan",
        "data-quality",
    ]
    # The staff dashboards of student rows (docs/access.md) and the trends across years.
    assert {b.slug for b in specs.dashboards[4:]} == {"student-profile", "section-view", "trends"}
    for table in specs.datasets:
        assert (REPORTING / f"{table}.sql").exists(), f"{table} is not a dbt model in reporting/"
    # Every dataset with a school is filtered per school, on the column dbt builds for it.
    for table, dataset in specs.datasets.items():
        sql = (REPORTING / f"{table}.sql").read_text()
        assert ("school_id" in sql) == bool(dataset.school_filter), table


def test_every_chart_of_a_suppressible_mart_lists_the_cell_status():
    """Suppressed cells show as suppressed: each dashboard with suppressed figures has a table
    that says so in words, beside the graphs (whose bars for those cells are absent, not 0)."""
    specs = load_specs()
    for board in specs.dashboards:
        for chart in board.charts:
            if "cell_status" not in (REPORTING / f"{chart.dataset}.sql").read_text():
                continue
            assert any(
                other.dataset == chart.dataset and "cell_status" in other.columns
                for other in board.charts
            ), f"{board.slug}: {chart.title!r} has no table saying which cells are suppressed"


def test_chart_forms_agree_with_each_other():
    chart = next(c for c in load_specs().charts if c.title == "Attendance rate by month")
    form = chart.form_data(7)
    query = chart.query_context(7)["queries"][0]
    assert form["datasource"] == "7__table" and form["viz_type"] == "echarts_timeseries_line"
    assert query["columns"][0]["sqlExpression"] == "calendar_month"
    assert query["columns"][0]["timeGrain"] == "P1M"
    assert [m["label"] for m in query["metrics"]] == [m["label"] for m in form["metrics"]]
    assert "date_trunc('month', calendar_month)" in chart.sql()
    assert "\"subgroup\" = 'all_students'" in chart.sql()


def test_spec_errors_name_the_chart(tmp_path):
    bad = tmp_path / "specs.yaml"
    bad.write_text(
        "database: d\ndatasets: {t: {}}\ndashboards:\n"
        "  - {slug: s, title: S, charts: [{title: Oops, kind: pie, dataset: t}]}\n"
    )
    with pytest.raises(SpecError, match="'Oops'.*kind 'pie'"):
        load_specs(bad)
    bad.write_text(
        "database: d\ndatasets: {t: {}}\ndashboards:\n"
        "  - {slug: s, title: S, charts: [{title: Lost, kind: table, dataset: u, columns: [a]}]}\n"
    )
    with pytest.raises(SpecError, match="'Lost'.*dataset 'u'"):
        load_specs(bad)


def test_rison_encodes_superset_list_filters():
    query = {"filters": [{"col": "slice_name", "opr": "eq", "value": "It's 100%!"}], "page": 0}
    encoded = prison.dumps(query)
    assert encoded == "(filters:!((col:slice_name,opr:eq,value:'It!'s 100%!!')),page:0)"
    assert prison.loads(encoded) == query
    assert prison.dumps([True, False, None]) == "!(!t,!f,!n)"


def test_differs_compares_only_what_we_set():
    current = {
        "params": json.dumps({"a": 1, "b": [1, 2], "added_by_superset": True}),
        "dashboards": [{"id": 3, "dashboard_title": "x"}],
        "slice_name": "C",
    }
    assert not differs(current, {"params": json.dumps({"b": [1, 2], "a": 1}), "dashboards": [3]})
    assert differs(current, {"params": json.dumps({"a": 2})})
    assert differs(current, {"dashboards": [3, 4]})
    assert differs(current, {"slice_name": "D"})


def test_layout_places_every_chart_once():
    board = load_specs().dashboards[0]
    ids = {chart.title: n for n, chart in enumerate(board.charts, start=10)}
    tree = position(board, ids)
    charts = [
        node for node in tree.values() if isinstance(node, dict) and node.get("type") == "CHART"
    ]
    assert sorted(node["meta"]["chartId"] for node in charts) == sorted(ids.values())
    for node in charts:
        row = tree[node["parents"][-1]]
        assert (
            node["id"] in row["children"]
            and sum(tree[c]["meta"]["width"] for c in row["children"]) <= 12
        )


def test_a_server_that_never_answers_is_reported_not_hung():
    """Login waits for a server still starting, then says which server did not come up."""
    import socket

    from dashboards.client import SupersetClient, SupersetError

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nobody listens there
    client = SupersetClient(f"http://127.0.0.1:{port}", "admin", "x", ready_timeout=2)
    with pytest.raises(SupersetError, match=r"server: GET http://127.0.0.1:\d+/health .*not ready"):
        client.login()
