"""The Dagster instance configuration (`$DAGSTER_HOME/dagster.yaml`), printed by `make`.

Run history lives in SQLite under the data folder by default; a district that runs Dagster as a
service sets `DISTRICTWIDE_DAGSTER_STORAGE=postgres` and the `DAGSTER_PG_*` variables, and runs,
event logs and schedules go to PostgreSQL. Credentials stay in the environment: the file only
names the variables.
"""

from __future__ import annotations

import os

SQLITE = """\
telemetry:
  enabled: false
"""

POSTGRES = """\
telemetry:
  enabled: false
storage:
  postgres:
    postgres_db:
      hostname: {env: DAGSTER_PG_HOST}
      port: {env: DAGSTER_PG_PORT}
      username: {env: DAGSTER_PG_USER}
      password: {env: DAGSTER_PG_PASSWORD}
      db_name: {env: DAGSTER_PG_DB}
"""


def instance_yaml(storage: str | None = None) -> str:
    storage = storage or os.environ.get("DISTRICTWIDE_DAGSTER_STORAGE", "sqlite")
    if storage not in ("sqlite", "postgres"):
        raise ValueError(
            f"DISTRICTWIDE_DAGSTER_STORAGE must be sqlite or postgres, not {storage!r}"
        )
    return POSTGRES if storage == "postgres" else SQLITE


if __name__ == "__main__":
    print(instance_yaml(), end="")
