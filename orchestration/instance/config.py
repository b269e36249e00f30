"""The Dagster instance configuration (`$DAGSTER_HOME/dagster.yaml`), written by `make`.

Run history lives in SQLite under the data folder by default; a district that runs Dagster as a
service sets `DISTRICTWIDE_DAGSTER_STORAGE=postgres` and the `DAGSTER_PG_*` variables, and runs,
event logs and schedules go to PostgreSQL. Credentials stay in the environment: the file only
names the variables. Either way the event log is Dagster's own with its connections kept open
(`orchestration.instance.event_log`): a load stores ~700 events, and opening a connection for
each cost a 5,000-student load 5-9 s of its 16-22 s.
"""

from __future__ import annotations

from pathlib import Path

from settings.environment import EnvironmentSettings

HEADER = """\
# Written by `make` (orchestration/instance, DISTRICTWIDE_DAGSTER_STORAGE): edits are replaced.
"""

# For the daemon (docs/operations.md): one run at a time, since two loads would meet at DuckDB's
# single writer (the schedule, the landing sensor and a run started by hand can ask at once; the
# others wait in Dagster's queue); and a run whose process died (a reboot, the OOM killer) is
# marked failed, so the alert sensor tells district IT instead of the run staying "started".
RUNS = """\
concurrency:
  runs:
    max_concurrent_runs: 1
run_monitoring:
  enabled: true
  poll_interval_seconds: 60
"""

SQLITE = f"""\
telemetry:
  enabled: false
{RUNS}\
# Dagster's SQLite event log ($DAGSTER_HOME/history/runs), its connections kept open.
event_log_storage:
  module: orchestration.instance.event_log
  class: PooledSqliteEventLogStorage
"""

PG_DB = """\
    postgres_db:
      hostname: {env: DAGSTER_PG_HOST}
      port: {env: DAGSTER_PG_PORT}
      username: {env: DAGSTER_PG_USER}
      password: {env: DAGSTER_PG_PASSWORD}
      db_name: {env: DAGSTER_PG_DB}
"""

POSTGRES = f"""\
telemetry:
  enabled: false
{RUNS}\
run_storage:
  module: dagster_postgres.run_storage
  class: PostgresRunStorage
  config:
{PG_DB}\
# dagster-postgres's event log, its connection kept open.
event_log_storage:
  module: orchestration.instance.event_log
  class: PooledPostgresEventLogStorage
  config:
{PG_DB}\
schedule_storage:
  module: dagster_postgres.schedule_storage
  class: PostgresScheduleStorage
  config:
{PG_DB}\
"""


def instance_yaml(storage: str | None = None) -> str:
    storage = storage or EnvironmentSettings.from_env().dagster_storage
    if storage not in ("sqlite", "postgres"):
        raise ValueError(
            f"DISTRICTWIDE_DAGSTER_STORAGE must be sqlite or postgres, not {storage!r}"
        )
    return POSTGRES if storage == "postgres" else SQLITE


def write_instance_yaml(path: Path, storage: str | None = None) -> bool:
    """Write the configuration to `path` unless it already says that; True if it was written.

    `make` calls this before every Dagster command, so a data folder follows this file and the
    environment (an upgrade, a switch to PostgreSQL) without its mtime changing on every call.
    """
    text = HEADER + instance_yaml(storage)
    if path.is_file() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return True
