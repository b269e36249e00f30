"""Every raw table districtwide lands, gathered from the per-source modules."""

from __future__ import annotations

from connectors import assessment, attendance, oneroster
from connectors.filespec import FileSpec
from settings.domains import DOMAINS

ALL_SPECS: tuple[FileSpec, ...] = (*oneroster.SPECS, *attendance.SPECS, *assessment.SPECS)
SOURCES: tuple[str, ...] = DOMAINS  # defined once, in settings.domains


def spec_for(table: str) -> FileSpec:
    """The spec of a raw table named `<source>__<entity>`."""
    for spec in ALL_SPECS:
        if spec.table == table:
            return spec
    raise KeyError(f"no raw table named {table!r}")
