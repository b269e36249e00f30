"""The dashboards as code: specs.yaml read into typed objects, and each chart in the three forms
that must agree: Superset's form data (what the page draws), its query context (what the chart
data API answers) and plain SQL on the served marts (what the tests compare both with).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

SPECS = Path(__file__).with_name("specs.yaml")
SCHEMA = "marts"
ROW_LIMIT = 10_000
# A table's rows per page: it asks the server for one page at a time (Superset's server-side
# pagination), so opening a dashboard costs one page and a row count, not 10,000 rows in JSON.
PAGE_LENGTH = 100
KINDS = {"bar": "echarts_timeseries_bar", "line": "echarts_timeseries_line", "table": "table"}
# Filter operators: Superset's own names, and the SQL they mean.
OPERATORS = {"==": "=", "!=": "<>", ">": ">", ">=": ">=", "<": "<", "<=": "<="}
# How a table shows a timestamp unless the chart says otherwise, and a graph's time axis per grain.
DATE_FORMAT = "%Y-%m-%d"
AXIS_TIME_FORMATS = {"P1D": "%Y-%m-%d", "P1W": "%Y-%m-%d", "P1M": "%b %Y", "P3M": "%b %Y"}
# Words a column name abbreviates, written out when a column has no label (see humanise).
_PREFIXES = (("n_", ""), ("is_", ""), ("has_", "has "), ("pct_", "share "))
_WORDS = {"rit": "RIT", "id": "ID", "sis": "SIS", "ela": "ELA", "oss": "OSS", "pct": "share"}


def humanise(column: str) -> str:
    """A column name in words, for a column no label names: n_students -> Students,
    is_on_track -> On track, mean_fall_rit -> Mean fall RIT."""
    name = column
    for prefix, replacement in _PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            name = replacement + name[len(prefix) :]
            break
    words = [_WORDS.get(word, word) for word in name.replace("_", " ").split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


class SpecError(ValueError):
    """specs.yaml says something that cannot be published; the message names the chart."""


@dataclass(frozen=True)
class Metric:
    label: str
    sql: str

    def adhoc(self) -> dict[str, Any]:
        return {"expressionType": "SQL", "sqlExpression": self.sql, "label": self.label}


@dataclass(frozen=True)
class Filter:
    column: str
    op: str
    value: Any

    def adhoc(self) -> dict[str, Any]:
        return {
            "clause": "WHERE",
            "expressionType": "SIMPLE",
            "subject": self.column,
            "operator": self.op,
            "comparator": self.value,
        }

    def query(self) -> dict[str, Any]:
        return {"col": self.column, "op": self.op, "val": self.value}

    def sql(self) -> str:
        value = self.value
        literal = (
            str(value)
            if isinstance(value, int | float)
            else "'" + str(value).replace("'", "''") + "'"
        )
        return f'"{self.column}" {OPERATORS[self.op]} {literal}'


@dataclass(frozen=True)
class Chart:
    title: str
    kind: str
    dataset: str
    x: str | None = None
    series: tuple[str, ...] = ()
    metrics: tuple[Metric, ...] = ()
    columns: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    order_by: tuple[str, ...] = ()
    time_grain: str | None = None
    format: str | None = None
    # Column -> d3 number format for a table's columns the suffix rule below cannot know (percentage
    # points, RIT changes, scale scores); wins over it.
    column_formats: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    horizontal: bool = False
    timestamp_format: str = DATE_FORMAT
    height: int | None = None  # grid units of 8 px; None: publish.py's default for the kind
    # A table's rows per server-side page; 0: the whole table in one answer (a few rows only).
    page_length: int = PAGE_LENGTH
    # The most rows the chart reads (a table's pages reach that far, its download too).
    row_limit: int = ROW_LIMIT
    # Column -> label: what the chart's axis and headers show (filled in by load_specs).
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def viz_type(self) -> str:
        return KINDS[self.kind]

    @property
    def paginated(self) -> bool:
        return self.kind == "table" and self.page_length > 0

    @property
    def group_columns(self) -> list[str]:
        return [self.x, *self.series] if self.kind != "table" else []

    def form_data(self, dataset_id: int) -> dict[str, Any]:
        """Superset's chart params: what the dashboard page draws."""
        base: dict[str, Any] = {
            "datasource": f"{dataset_id}__table",
            "viz_type": self.viz_type,
            "adhoc_filters": [f.adhoc() for f in self.filters],
            "row_limit": self.row_limit,
        }
        if self.kind == "table":
            return base | {
                "query_mode": "raw",
                "all_columns": list(self.columns),
                "order_by_cols": [
                    f'["{c.lstrip("-")}", {str(not c.startswith("-")).lower()}]'
                    for c in self.order_by
                ],
                "server_pagination": self.paginated,
                "server_page_length": self.page_length,
                "table_timestamp_format": self.timestamp_format,
                "show_cell_bars": False,
                "column_config": self._column_config(),
            }
        graph = base | {
            "x_axis": self.x,
            # Below the slanted labels; a horizontal chart's category labels name themselves.
            "x_axis_title": "" if self.horizontal else self.labels.get(self.x, humanise(self.x)),
            "x_axis_title_margin": 100,
            "time_grain_sqla": self.time_grain,
            "x_axis_sort_asc": True,
            "x_axis_sort_series": "name",
            "x_axis_sort_series_ascending": True,
            "metrics": [m.adhoc() for m in self.metrics],
            "groupby": list(self.series),
            "orientation": "horizontal" if self.horizontal else "vertical",
            "y_axis_format": self.format or "SMART_NUMBER",
            "show_legend": True,
            "legendType": "scroll",
            "legendOrientation": "top",
            "rich_tooltip": True,
            "truncateXAxis": True,
            "truncateYAxis": self.kind == "line",  # bars start at zero
            "y_axis_bounds": [None, None],
            "xAxisLabelRotation": 0 if self.horizontal else 30,
            "xAxisLabelInterval": 0,
            "markerEnabled": self.kind == "line",
            "show_empty_columns": True,
            "comparison_type": "values",
        }
        if self.time_grain:
            # A time axis labelled at the grain's own precision (not in milliseconds).
            graph["x_axis_time_format"] = AXIS_TIME_FORMATS.get(self.time_grain, "%Y")
        else:
            # A number on the x-axis (school year, grade) is a category: one slot per value, not
            # a linear scale from 0 (or 1013) with every point against the right edge.
            graph["xAxisForceCategorical"] = True
        return graph

    def query_context(self, dataset_id: int, *, whole: bool = False) -> dict[str, Any]:
        """The saved query: what GET /api/v1/chart/{id}/data/ answers, without post-processing.
        A paginated table's is what its dashboard posts on opening (Superset's table plugin,
        buildQuery): the first page, then the row count over at most ROW_LIMIT rows that the
        page numbers come from. `whole`: every row instead, in one query (a download's)."""
        query: dict[str, Any] = {
            "filters": [f.query() for f in self.filters],
            "extras": {"having": "", "where": ""},
            "row_limit": self.row_limit,
            "orderby": [[c.lstrip("-"), not c.startswith("-")] for c in self.order_by],
        }
        queries = [query]
        if self.kind == "table":
            # No "metrics" key at all: an empty list makes Superset GROUP BY every column shown,
            # which folds identical rows (two students of one name in one section) into one.
            query |= {"columns": list(self.columns)}
            if self.paginated and not whole:
                first_page = query | {"row_limit": self.page_length, "row_offset": 0}
                count = query | {"row_offset": 0, "post_processing": [], "is_rowcount": True}
                queries = [first_page, count]
        else:
            axis: dict[str, Any] | str = {
                "columnType": "BASE_AXIS",
                "sqlExpression": self.x,
                "label": self.x,
                "expressionType": "SQL",
            }
            if self.time_grain:
                axis["timeGrain"] = self.time_grain
                query["filters"].append({"col": self.x, "op": "TEMPORAL_RANGE", "val": "No filter"})
            query |= {
                "columns": [axis, *self.series],
                "metrics": [m.adhoc() for m in self.metrics],
                "series_columns": list(self.series),
                "orderby": [[self.metrics[0].adhoc(), False]],
            }
        return {
            "datasource": {"id": dataset_id, "type": "table"},
            "force": False,
            "queries": queries,
            "form_data": self.form_data(dataset_id),
            "result_format": "json",
            "result_type": "full",
        }

    def sql(self) -> str:
        """The same question as plain SQL on the served marts (grain truncation included)."""
        table = f"{SCHEMA}.{self.dataset}"
        where = " and ".join(f.sql() for f in self.filters) or "true"
        if self.kind == "table":
            return f"select {', '.join(self.columns)} from {table} where {where}"
        x = self.x if not self.time_grain else f"date_trunc('{_GRAINS[self.time_grain]}', {self.x})"
        keys = [f"{x} as {self.x}", *self.series]
        metrics = [f'{m.sql} as "{m.label}"' for m in self.metrics]
        groups = ", ".join(str(i + 1) for i in range(len(keys)))
        return f"select {', '.join(keys + metrics)} from {table} where {where} group by {groups}"

    def _column_config(self) -> dict[str, Any]:
        """Rates and means keep the chart's number format; counts stay whole numbers. A percent
        format is for shares only: a RIT score (the section view's latest RIT beside its
        attendance rate) is not 17,900%."""
        numeric: list[str] = []
        if self.format:
            suffixes = ("_rate", "_value", "_rit", "_to_all_students", "_spring")
            if self.format.endswith("%"):
                suffixes = ("_rate", "_value", "_to_all_students")
            numeric = [c for c in self.columns if c.endswith(suffixes)]
        formats = {c: self.format for c in numeric} | self.column_formats
        return {c: {"d3NumberFormat": f} for c, f in formats.items()}


_GRAINS = {"P1D": "day", "P1W": "week", "P1M": "month", "P3M": "quarter", "P1Y": "year"}


@dataclass(frozen=True)
class Dataset:
    table: str
    school_filter: str | None = None
    # Student-level datasets a teacher may read: the clause keeping them to their own students
    # (dashboards/row_security.py).
    teacher_filter: str | None = None
    # No student or school rows (the "data as of" line): every role reads it, unfiltered.
    shared: bool = False
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def label(self, column: str) -> str:
        return self.labels.get(column) or humanise(column)


@dataclass(frozen=True)
class Picker:
    """A filter at the top of a dashboard (Superset's native select filter): the values of one
    column, which Superset reads from the dataset as the viewer (so under their row-level
    security: a teacher picks among their own students), applied to every chart of the
    dashboard whose dataset has the column."""

    label: str
    dataset: str
    column: str


@dataclass(frozen=True)
class Dashboard:
    slug: str
    title: str
    charts: tuple[Chart, ...]
    district_only: bool = False
    pickers: tuple[Picker, ...] = ()


@dataclass(frozen=True)
class Specs:
    database: str
    datasets: dict[str, Dataset]
    dashboards: tuple[Dashboard, ...] = field(default_factory=tuple)

    @property
    def charts(self) -> list[Chart]:
        """Every chart once (a chart on every dashboard, such as "Data as of", is one chart)."""
        unique: dict[str, Chart] = {}
        for dashboard in self.dashboards:
            for chart in dashboard.charts:
                unique.setdefault(chart.title, chart)
        return list(unique.values())

    def boards_of(self, chart: Chart) -> list[Dashboard]:
        return [b for b in self.dashboards if any(c.title == chart.title for c in b.charts)]


def load_specs(path: Path = SPECS) -> Specs:
    """Read and check specs.yaml: every chart names a declared dataset and a known kind."""
    raw = yaml.safe_load(path.read_text())
    common = raw.get("labels") or {}
    datasets = {
        table: Dataset(
            table,
            (options or {}).get("school_filter"),
            (options or {}).get("teacher_filter"),
            bool((options or {}).get("shared", False)),
            common | ((options or {}).get("labels") or {}),
        )
        for table, options in raw["datasets"].items()
    }

    def checked(item: dict[str, Any]) -> Chart:
        chart = _chart(item)
        if chart.dataset not in datasets:
            raise SpecError(f"chart {chart.title!r}: dataset {chart.dataset!r} is not declared")
        dataset = datasets[chart.dataset]
        used = (chart.x, *chart.series, *chart.columns)
        return replace(chart, labels={c: dataset.label(c) for c in used if c})

    # Charts at the top of every dashboard: one chart each, placed on every dashboard.
    every = [checked(item) for item in raw.get("every_dashboard") or ()]
    dashboards = []
    titles = {chart.title for chart in every}
    for board in raw["dashboards"]:
        charts = list(every)
        for item in board["charts"]:
            chart = checked(item)
            if chart.title in titles:
                raise SpecError(f"chart {chart.title!r} is declared twice (titles are its key)")
            titles.add(chart.title)
            charts.append(chart)
        district_only = all(
            not datasets[chart.dataset].school_filter
            for chart in charts
            if not datasets[chart.dataset].shared
        )
        pickers = tuple(
            Picker(p["label"], p["dataset"], p["column"]) for p in board.get("pickers") or ()
        )
        for picker in pickers:
            if picker.dataset not in datasets:
                raise SpecError(
                    f"picker {picker.label!r}: dataset {picker.dataset!r} is not declared"
                )
        dashboards.append(
            Dashboard(board["slug"], board["title"], tuple(charts), district_only, pickers)
        )
    return Specs(raw["database"], datasets, tuple(dashboards))


def _chart(item: dict[str, Any]) -> Chart:
    title = item.get("title", "?")
    kind = item.get("kind")
    if kind not in KINDS:
        raise SpecError(f"chart {title!r}: kind {kind!r} is not one of {sorted(KINDS)}")
    filters = tuple(Filter(f["column"], f["op"], f["value"]) for f in item.get("filters", ()))
    for f in filters:
        if f.op not in OPERATORS:
            raise SpecError(
                f"chart {title!r}: filter operator {f.op!r} is not one of {sorted(OPERATORS)}"
            )
    chart = Chart(
        title=title,
        kind=kind,
        dataset=item["dataset"],
        x=item.get("x"),
        series=tuple(item.get("series", ())),
        metrics=tuple(Metric(m["label"], m["sql"]) for m in item.get("metrics", ())),
        columns=tuple(item.get("columns", ())),
        filters=filters,
        order_by=tuple(item.get("order_by", ())),
        time_grain=item.get("time_grain"),
        format=item.get("format"),
        column_formats=dict(item.get("column_formats") or {}),
        horizontal=bool(item.get("horizontal", False)),
        timestamp_format=item.get("timestamp_format", DATE_FORMAT),
        height=item.get("height"),
        page_length=int(item.get("page_length", PAGE_LENGTH)),
        row_limit=int(item.get("row_limit", ROW_LIMIT)),
    )
    if kind == "table" and not chart.columns:
        raise SpecError(f"chart {title!r}: a table needs columns")
    unshown = sorted(set(chart.column_formats) - set(chart.columns))
    if unshown:
        raise SpecError(
            f"chart {title!r}: column_formats names columns it does not show: {unshown}"
        )
    hidden = [c.lstrip("-") for c in chart.order_by if c.lstrip("-") not in chart.columns]
    if kind == "table" and hidden:
        # Superset's raw query cannot sort by a column it does not select (DuckDB refuses it).
        raise SpecError(
            f"chart {title!r}: order_by names columns the table does not show: {hidden}"
        )
    if kind != "table" and not (chart.x and chart.metrics):
        raise SpecError(f"chart {title!r}: a {kind} chart needs x and metrics")
    if chart.time_grain and chart.time_grain not in _GRAINS:
        raise SpecError(
            f"chart {title!r}: time_grain {chart.time_grain!r} is not one of {sorted(_GRAINS)}"
        )
    return chart
