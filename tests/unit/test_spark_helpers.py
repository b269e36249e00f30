"""The Python side of the Spark target that needs no Spark: the raw tables' column lists and how
a mart's columns compare between the engines (districtwide/spark.py)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from districtwide import spark


def test_raw_columns_join_a_folders_files_and_its_schema_file(tmp_path) -> None:
    users = tmp_path / "raw" / "sis" / "users"
    users.mkdir(parents=True)
    pq.write_table(pa.table({"sourcedId": pa.array([], pa.string())}), users / "_schema.parquet")
    pq.write_table(
        pa.table(
            {"sourcedId": ["u1"], "grades": ["03"], "_line_number": pa.array([2], pa.int64())}
        ),
        users / "load1.parquet",
    )
    empty = tmp_path / "raw" / "sis" / "roles"
    empty.mkdir()
    pq.write_table(pa.table({"roleType": pa.array([], pa.string())}), empty / "_schema.parquet")
    columns = spark.raw_columns(tmp_path / "raw")
    assert (
        columns["sis/users/*.parquet"]
        == "`sourcedId` string, `grades` string, `_line_number` bigint"
    )
    # A folder with only its schema file still has its columns (Spark skips `_` files).
    assert columns["sis/roles/*.parquet"] == "`roleType` string"


def test_columns_compare_by_kind() -> None:
    assert spark.comparison("n", "int", "int") == 'cast("n" as hugeint)'
    assert spark.comparison("d", "fraction", "int") == 'round(cast("d" as double), 9)'
    assert spark.comparison("day", "time", "time") == 'cast("day" as timestamp)'
    assert spark.comparison("s", "text", "int") == 'cast("s" as varchar)'


def test_a_process_without_a_jvm_uses_none() -> None:
    assert spark.jvm_usage() == (0.0, 0.0)
