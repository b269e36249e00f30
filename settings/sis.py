"""Which OneRoster user field holds the district's local student ID and which the state ID.

Real exports differ: one SIS puts the student number in `sourcedId`, another sends a GUID there
and the number in `identifier`, `username` or a `userIds` entry (`{district:123456}`); the state ID
likewise. Other sources (the attendance system's student list, test files) carry the local number
and the state ID, so linking them depends on reading the right field. The district config sets them
under `sis:`; they reach dbt as `--vars` (`dbt_vars`), read by the SIS users staging.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

_FIELDS = ("sourcedId", "identifier", "username")
_USERIDS = re.compile(r"^userIds:[A-Za-z0-9_.\- ]{1,40}$")


def _id_field(value: str) -> str:
    value = value.strip()
    if value in _FIELDS or _USERIDS.match(value):
        return value
    raise ValueError(
        f"{value!r} is not one of {list(_FIELDS)} or 'userIds:<type>' (e.g. 'userIds:district')"
    )


class SisSettings(BaseModel):
    """The user fields of the SIS export that carry each kind of ID."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: The district's local student (and staff) number: what attendance lists and benchmark
    #: files carry as the student ID.
    local_id: str = Field("sourcedId")
    #: The state-assigned ID (state test files' SASID; for staff, the educator ID).
    state_id: str = Field("identifier")

    @field_validator("local_id", "state_id")
    @classmethod
    def _known_field(cls, value: str) -> str:
        return _id_field(value)

    def dbt_vars(self) -> dict[str, Any]:
        """The vars for `dbt build --vars` (names as dbt_project.yml declares them)."""
        return {"sis_local_id": self.local_id, "sis_state_id": self.state_id}
