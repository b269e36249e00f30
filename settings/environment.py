"""The DISTRICTWIDE_* environment as one typed object, read when a caller asks, never at import.

Secrets (the SMTP and Superset passwords, PostgreSQL's) are not kept here: Dagster resources
read them through `EnvVar` when a run needs them (`orchestration.resources`), and the alert
transport when it sends (`alerts.transport`). What is here shapes the definitions and the
processes: the data folder, the time zone of the nightly schedule, DuckDB's memory cap for the
checks, where the marts are served and where Dagster keeps its run history.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from connectors.home import default_home


class EnvironmentSettings(BaseModel):
    """The DISTRICTWIDE_* variables, validated; defaults are a development machine's."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    home: Path = Field(default_factory=default_home, alias="DISTRICTWIDE_HOME")
    timezone: str = Field("America/New_York", alias="DISTRICTWIDE_TIMEZONE")
    duckdb_memory: str = Field("1500MB", alias="DISTRICTWIDE_DUCKDB_MEMORY")
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

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> EnvironmentSettings:
        """The settings of `env` (default: this process's environment); empty means unset."""
        env = os.environ if env is None else env
        aliases = {field.alias for field in cls.model_fields.values()}
        return cls.model_validate({k: v for k, v in env.items() if k in aliases and v})
