"""The dashboard specs and the client's pure parts: what they promise without a server."""

from __future__ import annotations

import json
from pathlib import Path

import prison
import pytest

from dashboards.client import differs
from dashboards.publish import Publication, native_filters, position
from dashboards.specs import SpecError, humanise, load_specs

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
    bad.write_text(
        "database: d\ndatasets: {t: {}}\ndashboards:\n"
        "  - {slug: s, title: S, charts: [{title: Sorted, kind: table, dataset: t,"
        " columns: [a], order_by: [a, -b]}]}\n"
    )
    with pytest.raises(SpecError, match="'Sorted'.*does not show: \\['b'\\]"):
        load_specs(bad)
    bad.write_text(
        "database: d\ndatasets: {t: {}}\ndashboards:\n"
        "  - {slug: s, title: S, pickers: [{label: Who, dataset: u, column: a}],"
        " charts: [{title: Fine, kind: table, dataset: t, columns: [a]}]}\n"
    )
    with pytest.raises(SpecError, match="picker 'Who'.*dataset 'u'"):
        load_specs(bad)


def test_the_student_picker_reaches_every_chart_whose_dataset_has_the_column():
    """The student profile's picker: one select filter on the student's name; the charts of
    datasets without that column (the "data as of" line) are out of its scope."""
    specs = load_specs()
    [board] = [b for b in specs.dashboards if b.slug == "student-profile"]
    tables = {chart.dataset for chart in board.charts}
    result = Publication(
        datasets={table: n for n, table in enumerate(sorted(tables), start=1)},
        charts={chart.title: n for n, chart in enumerate(board.charts, start=100)},
        columns={table: ["student_name"] for table in tables if table != "rpt_data_as_of"}
        | {"rpt_data_as_of": ["source_name"]},
    )
    [picker] = native_filters(board, result)
    assert picker["filterType"] == "filter_select" and picker["name"] == "Student"
    assert picker["targets"] == [
        {"datasetId": result.datasets["rpt_student_profile"], "column": {"name": "student_name"}}
    ]
    assert picker["scope"]["excluded"] == [result.charts["Data as of"]]
    assert sorted(picker["chartsInScope"] + picker["scope"]["excluded"]) == sorted(
        result.charts.values()
    )
    assert not picker["controlValues"]["multiSelect"]
    assert all(native_filters(b, result) == [] for b in specs.dashboards if b is not board)


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


def test_a_chart_field_that_is_ours_compares_whole():
    """A key the spec dropped (an old `"metrics": []`) must not stay in the saved chart."""
    from dashboards.client import differs_whole

    stored = json.dumps({"metrics": [], "columns": ["a"]})
    assert differs_whole(stored, json.dumps({"columns": ["a"]}))
    assert not differs_whole(stored, json.dumps({"columns": ["a"], "metrics": []}, indent=2))
    assert differs_whole(None, json.dumps({}))


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


def _contract_types() -> dict[tuple[str, str], str]:
    """(model, column) -> data_type from the reporting models' contracts."""
    import yaml

    models = yaml.safe_load((REPORTING / "_reporting__models.yml").read_text())["models"]
    return {
        (model["name"], column["name"]): column.get("data_type", "")
        for model in models
        for column in model.get("columns", [])
    }


def test_every_column_a_chart_shows_has_a_label_in_words():
    """Issue 20.5: no header, axis or tooltip in snake_case, for today's charts and any added
    later (a column no label names shows as its name in words)."""
    specs = load_specs()
    for chart in specs.charts:
        shown = [c for c in (chart.x, *chart.series, *chart.columns) if c]
        assert set(chart.labels) == set(shown), chart.title
        for column, label in chart.labels.items():
            assert "_" not in label and label[:1].isupper(), (chart.title, column, label)
    for table, dataset in specs.datasets.items():
        for (model, column), _ in _contract_types().items():
            if model == table:
                assert "_" not in dataset.label(column), (table, column)
    assert humanise("n_students") == "Students"
    assert humanise("is_on_track") == "On track"
    assert humanise("mean_rit_change_fall_to_spring") == "Mean RIT change fall to spring"


def test_axes_fit_their_data():
    """A number or name on the x-axis is a category (school year 2026 is not 2,026 on a scale
    from 0); a date or timestamp takes a time grain and a format at that precision."""
    types = _contract_types()
    for chart in load_specs().charts:
        if chart.kind == "table":
            continue
        form = chart.form_data(1)
        kind = types.get((chart.dataset, chart.x), "")
        if kind.startswith(("date", "timestamp")):
            assert chart.time_grain, f"{chart.title}: a time axis without a grain"
            assert "%" in form["x_axis_time_format"], chart.title
        else:
            assert form["xAxisForceCategorical"] is True, chart.title
    goals = next(c for c in load_specs().charts if c.title == "Goals against their target lines")
    assert goals.form_data(1)["x_axis_title"] == "School year"
    runs = next(c for c in load_specs().charts if c.title == "Quality runs")
    assert runs.form_data(1)["table_timestamp_format"] == "%Y-%m-%d %H:%M:%S"


def test_data_as_of_heads_every_dashboard_and_every_role_reads_it():
    specs = load_specs()
    for board in specs.dashboards:
        assert board.charts[0].title == "Data as of", board.slug
    assert specs.datasets["rpt_data_as_of"].shared
    assert [c.title for c in specs.charts].count("Data as of") == 1
    # A dashboard of district-only datasets stays district-only though the line is on it too.
    assert {b.slug for b in specs.dashboards if b.district_only} == {"data-quality"}
    layout = position(specs.dashboards[0], {c.title: n for n, c in enumerate(specs.charts)})
    first_row = layout[layout["GRID_ID"]["children"][0]]
    assert layout[first_row["children"][0]]["meta"]["sliceName"] == "Data as of"


def test_a_table_asks_the_server_for_one_page_and_its_row_count():
    """Superset's table plugin with server pagination posts, on opening, the first page and a
    row count over the chart's row limit (its buildQuery); the saved query is the same two, so
    the bench times what a dashboard load asks. A download asks every row in one query."""
    specs = load_specs()
    table = next(
        c for c in specs.charts if c.title == "Students in each section, latest results and flags"
    )
    form = table.form_data(7)
    assert form["server_pagination"] and form["server_page_length"] == table.page_length == 100
    assert form["row_limit"] == table.row_limit == 5000
    page, count = table.query_context(7)["queries"]
    assert (page["row_limit"], page["row_offset"]) == (100, 0) and "is_rowcount" not in page
    assert count["is_rowcount"] and (count["row_limit"], count["row_offset"]) == (5000, 0)
    assert page["columns"] == count["columns"] == list(table.columns)
    assert (
        page["orderby"]
        == count["orderby"]
        == [["section_title", True], ["n_flags", False], ["student_name", True]]
    )
    [whole] = table.query_context(7, whole=True)["queries"]
    assert whole["row_limit"] == 5000 and "row_offset" not in whole
    # A table of a few rows is shown whole: one query, no page controls.
    as_of = next(c for c in specs.charts if c.title == "Data as of")
    assert not as_of.paginated and not as_of.form_data(7)["server_pagination"]
    assert len(as_of.query_context(7)["queries"]) == 1
    # Graphs are never paged.
    assert all(not c.paginated for c in specs.charts if c.kind != "table")


def test_no_table_shows_an_unrounded_number():
    """Issue 20.5: every fractional column a table shows (rates, means, percentage points,
    scale scores) has a number format, so no cell reads 2.3456789 or 0.7 for 70%."""
    types = _contract_types()
    fractional = ("double", "decimal", "float", "numeric", "real")
    for chart in load_specs().charts:
        if chart.kind != "table":
            continue
        formatted = chart.form_data(1)["column_config"]
        for column in chart.columns:
            if types.get((chart.dataset, column), "").lower().startswith(fractional):
                assert "d3NumberFormat" in formatted.get(column, {}), (chart.title, column)
    gap = next(c for c in load_specs().charts if c.title == "Proficiency gap trend by subgroup")
    config = gap.form_data(1)["column_config"]
    assert config["proficiency_rate"] == {"d3NumberFormat": ".1%"}
    assert config["gap_points"] == {"d3NumberFormat": "+.1f"}
    assert "subgroup" not in gap.columns  # the code ('all_students'): its kind and value in words


def test_column_formats_name_shown_columns():
    from dashboards.specs import SpecError, _chart

    with pytest.raises(SpecError, match="column_formats names columns it does not show"):
        _chart(
            {
                "title": "t",
                "kind": "table",
                "dataset": "d",
                "columns": ["a"],
                "column_formats": {"b": ".1f"},
            }
        )
