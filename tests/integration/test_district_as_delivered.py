"""A district folder of exports as vendors deliver them (tests/fixtures/district_as_delivered/,
built by tests/fixtures/as_delivered.py): a OneRoster bulk zip, a MAP data-file zip, a state file
under the state's own name, a PowerSchool Quick Export in `attendance/PowerSchool/`, a tab `.txt`.
Dropped into landing unrenamed, `districtwide load` (what `make load` runs) loads every file:
each recognized, its rows staged or quarantined with a reason, nothing unaccounted."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from connectors.home import Home
from tests.fixtures.cli import districtwide_load

pytestmark = pytest.mark.integration

FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "district_as_delivered"
DELIVERED = {
    "sis/oneroster_export_2025-09-15.zip/manifest.csv": "oneroster_1_1_manifest",
    "sis/oneroster_export_2025-09-15.zip/orgs.csv": "oneroster_1_1_orgs",
    "sis/oneroster_export_2025-09-15.zip/academicSessions.csv": "oneroster_1_1_academic_sessions",
    "sis/oneroster_export_2025-09-15.zip/courses.csv": "oneroster_1_1_courses",
    "sis/oneroster_export_2025-09-15.zip/classes.csv": "oneroster_1_1_classes",
    "sis/oneroster_export_2025-09-15.zip/users.csv": "oneroster_1_1_users",
    "sis/oneroster_export_2025-09-15.zip/enrollments.csv": "oneroster_1_1_enrollments",
    "sis/oneroster_export_2025-09-15.zip/demographics.csv": "oneroster_1_1_demographics",
    "sis/extensions/programs.csv": "districtwide_sis_programs",
    "sis/extensions/calendar.csv": "districtwide_sis_calendar",
    "assessment/NWEA/MAP_CDF_2025-2026.zip/AssessmentResults.csv": "nwea_map_",
    "assessment/MCAS2026_spring_official_03500000.csv": "mcas_student_data",
    "attendance/PowerSchool/attendance.export.text": "powerschool_attendance",
    "attendance/AttendanceStudents_2025-2026.txt": "districtwide_attendance_students",
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Home:
    root = tmp_path_factory.mktemp("as_delivered")
    home = Home(root).ensure()
    shutil.copytree(FOLDER / "landing", home.landing, dirs_exist_ok=True)
    # The district's settings: which SIS school each attendance-system school code is.
    shutil.copytree(FOLDER / "config", root / "config", dirs_exist_ok=True)
    result = districtwide_load(root)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout
    assert f"loaded              {len(DELIVERED):>5}" in summary, summary
    for kind in ("set aside", "held back", "unrecognized"):
        assert re.search(rf"  {kind} +0\b", summary), summary
    return home


def audit(home: Home) -> dict[str, tuple]:
    rows = duckdb.sql(
        f"""
        select source_path, layout, status, error, raw_table, load_id
        from read_parquet('{home.audit}/2*.parquet', union_by_name = true)
        """
    ).fetchall()
    return {path: rest for path, *rest in rows}


def test_every_file_is_loaded_by_its_layout_and_nothing_was_renamed(loaded: Home) -> None:
    records = audit(loaded)

    assert set(records) == set(DELIVERED)
    for path, (layout, status, error, _, _) in records.items():
        assert status == "loaded", (path, error)
        assert layout.startswith(DELIVERED[path]), path
    sent = FOLDER / "landing"
    delivered = sorted(p.relative_to(sent).as_posix() for p in sent.rglob("*") if p.is_file())
    in_landing = sorted(
        p.relative_to(loaded.landing).as_posix() for p in loaded.landing.rglob("*") if p.is_file()
    )
    assert in_landing == delivered


def test_raw_rows_equal_staged_plus_quarantined_for_every_table(loaded: Home) -> None:
    """Raw rows (after wide-to-long unpivots) and parser rejects, against staging + quarantine."""
    tables = {raw_table for _, _, _, raw_table, _ in audit(loaded).values()}
    with duckdb.connect(str(loaded.warehouse), read_only=True) as con:
        for table in sorted(tables):
            source, entity = table.split("__")
            raw = 0
            for folder in (entity, f"{entity}__rejects"):
                raw += con.execute(
                    f"select count(*) from read_parquet('{loaded.raw}/{source}/{folder}/*.parquet')"
                ).fetchone()[0]
            staged = con.execute(f"select count(*) from staging.stg_{table}").fetchone()[0]
            quarantined = con.execute(
                f"select count(*) from quarantine.quarantine_{source} "
                f"where entity = '{entity}' and stage in ('parse', 'staging')"
            ).fetchone()[0]
            assert raw == staged + quarantined, table
            assert staged > 0, table
