"""dbt_project/macros/materializations.sql replaces dbt-duckdb's table and view materializations
(docs/UPGRADING.md): pinned on the manifest `make` builds (no dbt run), so an upgrade that renames
what the override calls, or stops it from taking precedence, fails here first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

MANIFEST = Path(__file__).resolve().parents[2] / "dbt_project" / "target" / "manifest.json"


@pytest.fixture(scope="module")
def macros() -> dict[str, dict]:
    if not MANIFEST.is_file():
        pytest.fail(f"no {MANIFEST}: `make install` builds it (dbt parse)")
    return json.loads(MANIFEST.read_text())["macros"]


@pytest.mark.parametrize("kind", ["table", "view"])
def test_the_project_materialization_overrides_one_dbt_ships(macros: dict, kind: str) -> None:
    ours = macros[f"macro.districtwide.materialization_{kind}_duckdb"]
    # dbt takes a root project's materialization over an adapter's or its own of the same name
    # and adapter (dbt's documented precedence); dbt-duckdb ships the table one, dbt the view.
    shipped = {
        f"macro.dbt_duckdb.materialization_{kind}_duckdb",
        f"macro.dbt.materialization_{kind}_default",
    }
    assert shipped & set(macros), f"dbt no longer ships a {kind} materialization to override"
    # One statement: drop and create inside the model's transaction, no rename dance.
    sql = ours["macro_sql"]
    assert f"drop {kind} if exists {{{{ target_relation }}}}" in sql
    assert "rename" not in sql.lower() and "__dbt_tmp" not in sql


def test_every_macro_the_override_calls_still_exists(macros: dict) -> None:
    names = {key.rsplit(".", 1)[1] for key in macros}
    for called in ("get_create_table_as_sql", "get_create_view_as_sql", "load_cached_relation",
                   "run_hooks", "statement"):  # fmt: skip
        assert called in names, f"dbt or dbt-duckdb no longer has {called}"
    for kind in ("table", "view"):
        sql = macros[f"macro.districtwide.materialization_{kind}_duckdb"]["macro_sql"]
        assert "get_create_table_as_sql" in sql or "get_create_view_as_sql" in sql
