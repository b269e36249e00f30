"""Opening the warehouse: the build database, with the marts' own database file attached.

dbt builds the marts in `warehouse/marts.duckdb` (attached to the build as `marts_db`, see
dbt_project/profiles.yml), so that publishing them copies one file instead of writing every mart
again into a new one. A reader opens `warehouse.duckdb` through `connect`, which attaches the
marts file too: `marts.fct_enrollment` and `quarantine.quarantine_sis` read as they always did.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb

# The marts' catalog in the build (profiles.yml's `attach` alias, dbt_project.yml's `+database`).
MARTS_CATALOG = "marts_db"
MARTS_FILE = "marts.duckdb"


def marts_path(warehouse: Path | str) -> Path:
    """The marts' database file beside the build database `warehouse`."""
    return Path(warehouse).with_name(MARTS_FILE)


def connect(
    warehouse: Path | str, *, read_only: bool = True, config: Mapping[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """`warehouse` opened (read-only by default) with its marts file attached, when it has one."""
    con = duckdb.connect(str(warehouse), read_only=read_only, config=dict(config or {}))
    try:
        attach_marts(con, warehouse, read_only=read_only)
    except BaseException:
        con.close()
        raise
    return con


def attach_marts(con: duckdb.DuckDBPyConnection, warehouse: Path | str, *, read_only: bool) -> None:
    """Attach the marts file to `con` (open on `warehouse`) and put its `marts` schema on the
    search path, so `marts.x` resolves there; nothing when no build has made the file yet."""
    marts = marts_path(warehouse)
    if not marts.is_file():
        return
    mode = " (read_only)" if read_only else ""
    # Connections to one file in one process share a database, and so its attachments.
    con.execute(f"attach if not exists '{marts}' as {MARTS_CATALOG}{mode}")
    catalog = con.execute("select current_database()").fetchone()[0]
    con.execute(f"set search_path = '{catalog}.main,{MARTS_CATALOG}.marts'")
