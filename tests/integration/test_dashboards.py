"""The dashboards on a real Superset (started on loopback by the tests, its own venv), published
from the 1,500-student test district: chart data equals the same query on the served marts,
publishing is idempotent, a school role sees only its school, a load never breaks a query, and
every dashboard renders its charts with data in headless Chromium.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
import time
from pathlib import Path

import duckdb
import pytest

from dashboards.client import SupersetClient, SupersetError
from dashboards.publish import DISTRICT_ROLE, SCHOOL_ROLE, Publication, publish_dashboards
from dashboards.specs import Chart, load_specs
from devtools.screenshot import screenshot_dashboard
from tests.conftest import District, run_load

SPECS = load_specs()
# Datasets with rows only from a district's second school year on (growth from one fall to the
# next): the test district has one year, so their charts are rightly empty here; their figures
# are checked on a three-year district in tests/integration/test_trend_marts.py.
NEEDS_TWO_YEARS = {"rpt_growth_fall_to_fall"}
# Charts a school role reads: its school's rows, or a shared dataset's (the "data as of" line).
SCHOOL_CHARTS = [
    c
    for c in SPECS.charts
    if SPECS.datasets[c.dataset].school_filter or SPECS.datasets[c.dataset].shared
]
DISTRICT_ONLY_CHARTS = [c for c in SPECS.charts if c not in SCHOOL_CHARTS]


@pytest.fixture(scope="module")
def admin(superset) -> SupersetClient:
    return SupersetClient(superset.base_url, superset.admin_user, superset.admin_password).login()


@pytest.fixture(scope="module")
def publications(admin: SupersetClient, district: District) -> tuple[Publication, Publication]:
    """The district published twice in a row."""
    first = publish_dashboards(admin, district.home.serving)
    second = publish_dashboards(admin, district.home.serving)
    return first, second


def user_client(admin: SupersetClient, superset, username: str, roles: list[str]) -> SupersetClient:
    """A logged-in client for a database user holding `roles` (Gamma for the UI, ours for data)."""
    password = f"{username}-Passw0rd!"
    admin.user(username, password, [admin.role_id(name) for name in ["Gamma", *roles]])
    return SupersetClient(superset.base_url, username, password).login()


def normalised(value: object) -> object:
    """One form for both sides: Superset sends timestamps as epoch ms and numbers as floats."""
    if isinstance(value, dt.datetime):
        return float(value.replace(tzinfo=dt.UTC).timestamp() * 1000)
    if isinstance(value, dt.date):
        return normalised(dt.datetime.combine(value, dt.time()))
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return round(float(value), 9)
    return value


def rows_equal(superset_rows: list[dict], sql_rows: list[tuple]) -> bool:
    left = sorted((tuple(normalised(v) for v in row.values()) for row in superset_rows), key=repr)
    right = sorted((tuple(normalised(v) for v in row) for row in sql_rows), key=repr)
    if len(left) != len(right):
        return False
    for a, b in zip(left, right, strict=True):
        for x, y in zip(a, b, strict=True):
            if isinstance(x, float) and isinstance(y, float):
                if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
                    return False
            elif x != y:
                return False
    return True


def served_rows(district: District, sql: str) -> list[tuple]:
    with duckdb.connect(str(district.home.serving), read_only=True) as con:
        return con.execute(sql).fetchall()


def every_row(client: SupersetClient, publication: Publication, chart: Chart) -> list[dict]:
    """Every row of the chart's query as this client may see it: a paginated table's saved query
    is its first page, so its whole query (a download's) is posted, its row limit lifted."""
    if not chart.paginated:
        return client.chart_data(publication.charts[chart.title], chart.title)
    context = chart.query_context(publication.datasets[chart.dataset], whole=True)
    context["queries"][0]["row_limit"] = 50_000
    return client.chart_data_query(context, chart.title)


@pytest.mark.parametrize("chart", SPECS.charts, ids=lambda c: c.title)
def test_chart_data_equals_the_same_query_on_the_marts(chart, admin, publications, district):
    first, _ = publications
    rows = every_row(admin, first, chart)
    expected = served_rows(district, chart.sql())
    if chart.dataset in NEEDS_TWO_YEARS:
        assert rows == [] and expected == [], chart.title
        return
    assert expected, f"{chart.title}: the served marts have no rows for this chart"
    assert rows_equal(rows, expected), f"{chart.title}: Superset's rows differ from the marts'"


def test_suppressed_cells_show_as_suppressed_not_zero(admin, publications):
    first, _ = publications
    [chart] = [c for c in SPECS.charts if c.title == "Chronic absence by subgroup"]
    rows = every_row(admin, first, chart)
    suppressed = [r for r in rows if r["cell_status"].startswith("suppressed")]
    assert suppressed, "the test district should have small subgroup cells"
    assert all(r["chronic_absence_rate"] is None and r["n_students"] is None for r in suppressed)
    assert all(r["chronic_absence_rate"] is not None for r in rows if r["cell_status"] == "shown")


@pytest.mark.parametrize("chart", [c for c in SPECS.charts if c.paginated], ids=lambda c: c.title)
def test_a_table_opens_on_its_first_page_and_counts_every_row(chart, admin, publications, district):
    """A paginated table's saved query is what its dashboard posts on opening (Superset's table
    plugin): the first page in the table's order, and the count of every row, which the page
    numbers come from."""
    first, _ = publications
    answer = admin.request(
        "GET", f"/api/v1/chart/{first.charts[chart.title]}/data/", chart.title, params={"force": 1}
    )["result"]
    page, count = answer[0]["data"], answer[1]["data"]
    expected = served_rows(district, chart.sql())
    if chart.dataset in NEEDS_TWO_YEARS:
        assert page == [] and count == [{"rowcount": 0}]
        return
    assert count == [{"rowcount": min(len(expected), chart.row_limit)}], chart.title
    assert len(page) == min(chart.page_length, len(expected)), chart.title
    # The page is the table's first rows: each is a row of the marts, in the table's order.
    keys = [c.lstrip("-") for c in chart.order_by]
    reverse = [c.startswith("-") for c in chart.order_by]
    remaining = [tuple(normalised(v) for v in row) for row in expected]
    for row in page:
        values = tuple(normalised(v) for v in row.values())
        assert values in remaining, f"{chart.title}: {values} is not a row of the marts"
        remaining.remove(values)
    order = [[row[k] for k in keys] for row in page]
    for before, after in zip(order, order[1:], strict=False):
        for a, b, descending in zip(before, after, reverse, strict=True):
            if a != b:
                assert a is None or b is None or (a > b if descending else a < b), chart.title
                break


def test_publishing_twice_changes_nothing_and_duplicates_nothing(admin, publications):
    first, second = publications
    assert second.changed == 0, dict(second.actions)
    for kind in ("datasets", "charts", "dashboards", "roles", "rls_rules"):
        assert getattr(first, kind) == getattr(second, kind), kind
    assert second.database == first.database
    # One object per name on the server itself, not only in our bookkeeping.
    for title in first.charts:
        assert len(admin.find("chart", title, slice_name=title)) == 1
    for slug in first.dashboards:
        assert len(admin.find("dashboard", slug, slug=slug)) == 1
    for table in first.datasets:
        assert len(admin.find("dataset", table, table_name=table)) == 1
    assert len(admin.find("database", "db", database_name=SPECS.database)) == 1


def test_a_school_role_sees_only_its_school(admin, superset, publications, district):
    first, _ = publications
    schools = dict(served_rows(district, "select school_id, school_name from marts.dim_school"))
    school_id = sorted(schools)[0]
    principal = user_client(
        admin, superset, "principal_a", [SCHOOL_ROLE.format(school_id=school_id)]
    )
    for chart in (c for c in SCHOOL_CHARTS if c.dataset not in NEEDS_TWO_YEARS):
        rows = every_row(principal, first, chart)
        names = {row.get("school_name") for row in rows} - {None}
        assert rows, f"{chart.title}: the school's own rows are missing"
        assert names <= {schools[school_id], "District"}, f"{chart.title}: rows of {names}"
    for chart in DISTRICT_ONLY_CHARTS:
        with pytest.raises(SupersetError) as refused:
            principal.chart_data(first.charts[chart.title], chart.title)
        assert refused.value.status in (403, 404)
    for board in SPECS.dashboards:
        path = f"/api/v1/dashboard/{board.slug}"
        if board.district_only:
            with pytest.raises(SupersetError) as refused:
                principal.request("GET", path, board.slug)
            assert refused.value.status in (403, 404)
        else:
            assert principal.request("GET", path, board.slug)["result"]["slug"] == board.slug

    district_user = user_client(admin, superset, "district_office", [DISTRICT_ROLE])
    chart = "Chronic absence rate by school"
    rows = district_user.chart_data(first.charts[chart], chart)
    assert {row["school_name"] for row in rows} == set(schools.values())


def test_a_query_during_a_load_never_fails(admin, publications, district):
    """Chart queries run without pause while the whole consolidated load rebuilds and swaps the
    served file under them: each gets the old data or the new, never an error."""
    first, _ = publications
    chart = "Chronic absence rate by school"
    answers: list[int] = []
    errors: list[str] = []
    done = threading.Event()

    def query() -> None:
        while not done.is_set():
            try:
                answers.append(len(admin.chart_data(first.charts[chart], chart)))
            except SupersetError as exc:
                errors.append(str(exc))

    reader = threading.Thread(target=query, daemon=True)
    reader.start()
    try:
        result = run_load(district.home)
    finally:
        time.sleep(1)
        done.set()
        reader.join(timeout=120)
    assert result.success
    assert not errors, errors[:3]
    assert len(answers) >= 10 and set(answers) == {answers[0]}


def test_every_dashboard_renders_its_charts_with_data(superset, chromium, publications, district):
    """Each dashboard at 1,280 px in headless Chromium: every chart drew data (no error alert, no
    "No results"), and no table is wider than its chart (no column cut off)."""
    first, _ = publications
    out = district.home.root / "screenshots"
    for board in SPECS.dashboards:
        shot = screenshot_dashboard(
            superset.base_url,
            board.slug,
            superset.admin_user,
            superset.admin_password,
            out / f"{board.slug}.png",
            width=1280,
        )
        assert shot.charts == len(board.charts), (board.slug, shot.chart_states)
        one_year = sum(c.dataset in NEEDS_TWO_YEARS for c in board.charts)
        assert shot.charts_with_data == shot.charts - one_year, shot.chart_states
        assert shot.errors == 0 and shot.empty == one_year, (board.slug, shot.chart_states)
        assert not shot.clipped, (board.slug, shot.chart_states)
        assert Path(shot.path).stat().st_size > 20_000


def test_every_column_is_labelled_in_words(admin, publications):
    """Issue 20.5: the datasets' columns carry the specs' labels (Superset's verbose names, which
    its table headers, tooltips and filters show), so nothing reads as snake_case."""
    first, _ = publications
    for table, dataset_id in first.datasets.items():
        columns = admin.request("GET", f"/api/v1/dataset/{dataset_id}", table)["result"]["columns"]
        assert columns, table
        for column in columns:
            label = column["verbose_name"]
            assert label == SPECS.datasets[table].label(column["column_name"]), (table, column)
            assert "_" not in label, (table, label)
    goals = admin.chart_data(first.charts["Goal progress"], "Goal progress")
    assert {row["progress_status"] for row in goals} <= {
        "On track",
        "Not on track",
        "Not measured",
        "Suppressed (small cell)",
    }


def test_data_as_of_is_each_sources_last_load_in_effect(admin, superset, publications, district):
    """Issue 20.4: the line on every dashboard says when each source last loaded, from the
    landing audit (held, refused or retracted loads are not what the marts hold), and a school
    role reads it too."""
    first, _ = publications
    chart = "Data as of"
    for board in SPECS.dashboards:
        linked = admin.request("GET", f"/api/v1/dashboard/{board.slug}/charts", board.slug)
        assert first.charts[chart] in {c["id"] for c in linked["result"]}, board.slug
    rows = admin.chart_data(first.charts[chart], chart)
    with district.warehouse() as con:
        audit = con.execute(
            "select source, max(loaded_at) from audit.file_loads where status = 'loaded' "
            "group by source"
        ).fetchall()
    assert len(rows) == len(audit) == 3
    names = dict(served_rows(district, "select source, source_name from marts.rpt_data_as_of"))
    assert {names[source]: normalised(at) for source, at in audit} == {
        row["source_name"]: normalised(row["last_loaded_at"]) for row in rows
    }
    assert {row["source_name"] for row in rows} == {
        "Student information system",
        "Attendance",
        "Assessments",
    }
    schools = served_rows(district, "select school_id from marts.dim_school order by 1")
    principal = user_client(
        admin, superset, "principal_as_of", [SCHOOL_ROLE.format(school_id=schools[0][0])]
    )
    assert len(principal.chart_data(first.charts[chart], chart)) == 3


def test_publishing_is_a_dagster_asset_after_the_served_marts(
    superset, publications, district, monkeypatch
):
    """The `publish_dashboards` job materialises `serving/dashboards`, downstream of the served
    copy (itself downstream of every mart and checked asset), against the real server."""
    from dagster import AssetKey, DagsterInstance

    from orchestration.definitions import defs

    graph = defs().resolve_asset_graph()
    dashboards = AssetKey(["serving", "dashboards"])
    assert graph.get(dashboards).parent_keys == {AssetKey(["serving", "marts"])}
    consolidated = defs().resolve_job_def("consolidated_load")
    assert dashboards not in consolidated.asset_layer.executable_asset_keys

    # The asset publishes the served copy of the data folder the environment names.
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(district.home.root))
    monkeypatch.setenv("DISTRICTWIDE_SUPERSET_URL", superset.base_url)
    monkeypatch.setenv("DISTRICTWIDE_SUPERSET_ADMIN_USER", superset.admin_user)
    monkeypatch.setenv("DISTRICTWIDE_SUPERSET_ADMIN_PASSWORD", superset.admin_password)
    result = (
        defs()
        .resolve_job_def("publish_dashboards")
        .execute_in_process(instance=DagsterInstance.ephemeral())
    )
    assert result.success
    [materialization] = result.asset_materializations_for_node("serving__dashboards")
    metadata = materialization.metadata
    assert metadata["charts"].value == len(SPECS.charts)
    assert set(metadata["dashboards"].value) == {b.slug for b in SPECS.dashboards}
    # Nothing changed since the fixture's publications: the asset only confirmed them.
    assert all(key.endswith("unchanged") for key in metadata["changes"].value)


def test_a_chart_the_spec_does_not_place_is_taken_off_the_dashboard(admin, publications, district):
    """A chart added by hand (or left by a renamed spec) would show below the layout; the next
    publish takes it off the dashboard and keeps the chart itself."""
    first, _ = publications
    board = SPECS.dashboards[0]
    dataset_id = first.datasets[board.charts[0].dataset]
    stray = admin.request(
        "POST",
        "/api/v1/chart/",
        "stray chart",
        json={
            "slice_name": "Hand-made chart",
            "viz_type": "table",
            "datasource_id": dataset_id,
            "datasource_type": "table",
            "params": "{}",
            "dashboards": [first.dashboards[board.slug]],
        },
    )["id"]
    again = publish_dashboards(admin, district.home.serving)
    assert again.actions["chart unlinked"] == 1
    on_board = admin.request("GET", f"/api/v1/dashboard/{board.slug}/charts", "charts")["result"]
    assert stray not in {chart["id"] for chart in on_board}
    assert admin.request("GET", f"/api/v1/chart/{stray}", "stray")["result"]["dashboards"] == []
    assert publish_dashboards(admin, district.home.serving).changed == 0


def test_a_key_left_in_a_chart_by_an_older_spec_is_removed(admin, publications, district):
    """Chart params and saved queries are the spec's whole: a key an older spec wrote (here a
    number format on a column, and the `"metrics": []` that once folded identical rows) is gone
    after the next publish, not kept because every key the spec sets still matches."""
    first, _ = publications
    chart_id = first.charts["Chronic absence trend by subgroup"]
    saved = admin.request("GET", f"/api/v1/chart/{chart_id}", "chart")["result"]
    params = json.loads(saved["params"])
    params["column_config"]["school_name"] = {"d3NumberFormat": ".3f"}
    query = json.loads(saved["query_context"])
    query["queries"][0]["metrics"] = []
    body = {"params": json.dumps(params), "query_context": json.dumps(query)}
    admin.request("PUT", f"/api/v1/chart/{chart_id}", "older chart", json=body)
    again = publish_dashboards(admin, district.home.serving)
    assert again.actions["chart updated"] == 1
    now = admin.request("GET", f"/api/v1/chart/{chart_id}", "chart")["result"]
    assert "school_name" not in json.loads(now["params"])["column_config"]
    assert "metrics" not in json.loads(now["query_context"])["queries"][0]
    assert publish_dashboards(admin, district.home.serving).changed == 0


def test_errors_name_the_object_the_call_and_supersets_message(admin, publications):
    first, _ = publications
    with pytest.raises(SupersetError) as failed:
        admin.request(
            "POST",
            "/api/v1/dataset/",
            "dataset marts.no_such_table",
            json={"database": first.database, "schema": "marts", "table_name": "no_such_table"},
        )
    text = str(failed.value)
    assert "dataset marts.no_such_table" in text and "POST /api/v1/dataset/" in text
    assert failed.value.status == 422 and "no_such_table" in failed.value.message


def test_every_chart_is_timed_by_the_bench(admin, publications):
    """`make bench`'s dashboard step (devtools/dashboard_bench.py) posts every chart's saved query
    to POST /api/v1/chart/data; the same rows come back as from the saved chart's data."""
    from devtools.dashboard_bench import time_chart_queries

    first, _ = publications
    times = time_chart_queries(admin, first.charts, rounds=2)
    assert times.charts == len(SPECS.charts) and times.requests == 2 * len(SPECS.charts)
    assert 0 < times.median_ms <= times.p95_ms
    assert times.slowest_chart in first.charts
    chart = "Chronic absence rate by school"
    saved = admin.request("GET", f"/api/v1/chart/{first.charts[chart]}", chart)["result"]
    posted = admin.chart_data_query(saved["query_context"], chart)
    assert rows_equal(
        posted, [tuple(r.values()) for r in admin.chart_data(first.charts[chart], chart)]
    )
