"""The connections of the database sources, from the environment only (`EnvVar`), never a file.

`DISTRICTWIDE_DATABASE_SOURCES` lists the sources pulled from a database (`attendance`, `sis`);
each one's SQLAlchemy URL is in `DISTRICTWIDE_<SOURCE>_DB_URL` (a read-only user's), read when a
run needs it and never logged (logs and emails name host and database only).
"""

from __future__ import annotations

from dagster import ConfigurableResource, EnvVar

from connectors.databases.pull import KEY_CHECK_DAYS


class DatabaseSources(ConfigurableResource):
    """The source databases' URLs (None: that source is not a database) and how often their
    keys are compared in full to find deletes."""

    attendance_url: str | None = None
    sis_url: str | None = None
    key_check_days: int = KEY_CHECK_DAYS

    def url(self, source: str) -> str:
        url = getattr(self, f"{source}_url", None)
        if not url:
            raise ValueError(f"{url_variable(source)} is not set: no URL for the {source} database")
        return url


def url_variable(source: str) -> str:
    return f"DISTRICTWIDE_{source.upper()}_DB_URL"


def database_resources(sources: tuple[str, ...], key_check_days: int) -> dict[str, object]:
    """The `databases` resource for the configured sources (none: an empty one)."""
    urls = {f"{source}_url": EnvVar(url_variable(source)) for source in sources}
    return {"databases": DatabaseSources(**urls, key_check_days=key_check_days)}
