"""How student IDs from other systems are compared with the SIS's.

Systems pad IDs differently: the SIS holds `12345`, the state file `0012345`, the attendance
system `00012345`. Whether such IDs are one child's is the district's call (where IDs are
zero-padded numbers they are; where an ID's zeros mean something they are not), per source or
for every source. The identity matching applies it in SQL (dbt `int_identity_matches`, var
`strip_leading_zero_sources`); an ID that then matches two SIS students goes to review.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

# The identity source systems other than the SIS (int_source_people's source_system).
IdentitySource = Literal["attendance", "state_assessment", "map", "benchmark"]
IDENTITY_SOURCES: tuple[str, ...] = IdentitySource.__args__


class IdentitySettings(BaseModel):
    """The district config's `identity:` section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Compare student IDs without their leading zeros: `true` for every source, `false` for
    #: none, or a list of sources (attendance, state_assessment, map, benchmark).
    student_id_strip_leading_zeros: bool | tuple[IdentitySource, ...] = False

    def strip_sources(self) -> list[str]:
        value = self.student_id_strip_leading_zeros
        if value is True:
            return sorted(IDENTITY_SOURCES)
        if value is False:
            return []
        return sorted(set(value))

    def dbt_vars(self) -> dict[str, Any]:
        """The vars for `dbt build --vars` (names as dbt_project.yml declares them)."""
        return {"strip_leading_zero_sources": self.strip_sources()}
