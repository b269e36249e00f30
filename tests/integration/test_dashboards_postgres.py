"""With PostgreSQL as the serving target, Superset reads PostgreSQL: the served marts are copied
into the real server on loopback and swapped in whole, and every chart's data equals the same
query on PostgreSQL. A reader of the served tables never fails while they are swapped.
"""

from __future__ import annotations

import threading
from contextlib import closing

import psycopg2
import pytest

from dashboards.client import SupersetClient
from dashboards.publish import publish_dashboards
from dashboards.specs import load_specs
from serving.postgres import PostgresTarget, publish_to_postgres
from serving.publish import content_checksum
from serving.served import PostgresServed
from tests.conftest import District, require_service
from tests.integration.test_dashboards import NEEDS_TWO_YEARS, every_row, rows_equal

SPECS = load_specs()
TARGET = PostgresTarget(schema="marts")


@pytest.fixture(scope="module")
def on_postgres(superset, district: District):
    """The district's served marts in PostgreSQL, and Superset's database pointed at them."""
    require_service("PostgreSQL", TARGET.host, TARGET.port)
    counts = publish_to_postgres(district.home.serving, TARGET)
    admin = SupersetClient(superset.base_url, superset.admin_user, superset.admin_password).login()
    publication = publish_dashboards(admin, PostgresServed(TARGET))
    yield admin, publication, counts
    # Leave Superset reading the DuckDB serving file, as the other dashboard tests expect.
    publish_dashboards(admin, district.home.serving)


def pg_rows(sql: str) -> list[tuple]:
    with closing(TARGET.connect()) as con, con.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def test_postgres_holds_every_served_table_row_for_row(on_postgres, district):
    _, _, counts = on_postgres
    served = content_checksum(district.home.serving)
    assert set(counts) == set(served)
    for table, (rows, _) in served.items():
        assert counts[table] == rows == pg_rows(f'select count(*) from marts."{table}"')[0][0]


def test_superset_reads_postgres(on_postgres):
    admin, publication, _ = on_postgres
    connection = admin.request(
        "GET", f"/api/v1/database/{publication.database}/connection", "database connection"
    )["result"]
    assert connection["sqlalchemy_uri"].startswith("postgresql://")


@pytest.mark.parametrize("chart", SPECS.charts, ids=lambda c: c.title)
def test_chart_data_equals_the_same_query_on_postgres(chart, on_postgres):
    admin, publication, _ = on_postgres
    # A table's saved query is its first page: its whole query is compared (test_dashboards).
    rows = every_row(admin, publication, chart)
    expected = pg_rows(chart.sql())
    if chart.dataset in NEEDS_TWO_YEARS:  # a one-year district: rightly empty
        assert rows == [] and expected == [], chart.title
        return
    assert expected, chart.title
    assert rows_equal(
        rows, [tuple(float(v) if hasattr(v, "as_tuple") else v for v in r) for r in expected]
    )


def test_readers_never_fail_while_postgres_tables_are_swapped(on_postgres, district):
    errors: list[str] = []
    reads: list[int] = []
    done = threading.Event()

    def read() -> None:
        # Autocommit, like Superset's queries: each statement its own short transaction.
        with closing(TARGET.connect()) as con:
            con.autocommit = True
            with con.cursor() as cur:
                while not done.is_set():
                    try:
                        cur.execute("select count(*) from marts.rpt_attendance_by_school")
                        reads.append(cur.fetchone()[0])
                    except psycopg2.Error as exc:
                        errors.append(str(exc))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        for _ in range(3):
            publish_to_postgres(district.home.serving, TARGET)
    finally:
        done.set()
        reader.join(timeout=60)
    assert not errors, errors[:3]
    assert len(reads) > 10 and len(set(reads)) == 1
