"""The DISTRICTWIDE_* environment as one typed object, read when a caller asks, never at import.

Secrets (the SMTP and Superset passwords, PostgreSQL's) are not kept here: Dagster resources
read them through `EnvVar` when a run needs them (`orchestration.resources`), and the alert
transport when it sends (`alerts.transport`). What is here shapes the definitions and the
processes: the data folder, the time zone of the nightly schedule, DuckDB's memory cap for the
checks, where the marts are served and where Dagster keeps its run history.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from connectors.home import Home, default_home


def duckdb_spill_default(home: Path) -> Path:
    """The spill folder when none is set: `work/duckdb_spill` in the data folder."""
    return Home(Path(home)).work / "duckdb_spill"


class EnvironmentSettings(BaseModel):
    """The DISTRICTWIDE_* variables, validated; defaults are a development machine's."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    home: Path = Field(default_factory=default_home, alias="DISTRICTWIDE_HOME")
    timezone: str = Field("America/New_York", alias="DISTRICTWIDE_TIMEZONE")
    duckdb_memory: str = Field("1250MB", alias="DISTRICTWIDE_DUCKDB_MEMORY")
    # Where DuckDB spills what does not fit under the memory limit (default: the data folder's
    # work/duckdb_spill). A million students spill gigabytes: give it a fast local disk.
    duckdb_temp: Path | None = Field(None, alias="DISTRICTWIDE_DUCKDB_TEMP")
    serving: Literal["duckdb", "postgres"] = Field("duckdb", alias="DISTRICTWIDE_SERVING")
    dagster_storage: Literal["sqlite", "postgres"] = Field(
        "sqlite", alias="DISTRICTWIDE_DAGSTER_STORAGE"
    )
    superset_url: str | None = Field(None, alias="DISTRICTWIDE_SUPERSET_URL")
    # Sources pulled from a database (docs/database_sources.md), comma-separated: `attendance`
    # (PowerSchool's tables), `sis` (OneRoster's); their URLs are secrets, read through EnvVar.
    database_sources: str = Field("", alias="DISTRICTWIDE_DATABASE_SOURCES")
    # Days between full key comparisons of each pulled table (deletes); 0 = every pull.
    database_key_check_days: int = Field(7, ge=0, alias="DISTRICTWIDE_DATABASE_KEY_CHECK_DAYS")

    @property
    def databases(self) -> tuple[str, ...]:
        """The database sources, validated against the shapes districtwide knows."""
        names = tuple(s.strip() for s in self.database_sources.split(",") if s.strip())
        unknown = set(names) - {"attendance", "sis"}
        if unknown:
            raise ValueError(
                f"DISTRICTWIDE_DATABASE_SOURCES: unknown source(s) {sorted(unknown)}; "
                "known: attendance (PowerSchool), sis (OneRoster)"
            )
        return names

    @property
    def duckdb_spill(self) -> Path:
        """DuckDB's spill folder: `$DISTRICTWIDE_DUCKDB_TEMP`, else work/duckdb_spill in the data
        folder (dbt's profiles.yml spells the same default)."""
        return self.duckdb_temp or duckdb_spill_default(self.home)

    def duckdb_config(self) -> dict[str, str]:
        """The settings every DuckDB the load opens takes: memory cap and spill folder.

        Without them a DuckDB takes 80% of the machine's memory and spills in-memory databases
        into `.tmp` under the process's working folder. The folder is created here: DuckDB
        creates only its last level, and fails the query that spills when the parent is missing.
        """
        self.duckdb_spill.mkdir(parents=True, exist_ok=True)
        return {"memory_limit": self.duckdb_memory, "temp_directory": str(self.duckdb_spill)}

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> EnvironmentSettings:
        """The settings of `env` (default: this process's environment); empty means unset."""
        env = os.environ if env is None else env
        aliases = {field.alias for field in cls.model_fields.values()}
        return cls.model_validate({k: v for k, v in env.items() if k in aliases and v})


@contextmanager
def scoped_environ(values: Mapping[str, str]) -> Iterator[None]:
    """`values` in this process's environment for a dbt build run inside it (dbt runs in this
    process and reads them then), each earlier value (or its absence) back after."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
