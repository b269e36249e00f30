"""What an alert is made of: one run's failed checks and quarantined rows, as counts and rule
names (never row values). Callers build these; `alerts.compose` turns them into text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

from settings.domains import DOMAINS

Severity = Literal["blocking", "warning"]
SEVERITIES: tuple[str, ...] = ("blocking", "warning")


@dataclass(frozen=True)
class CheckFailure:
    """One failed check of one run, as counts and rule names (never row values)."""

    domain: str
    check_name: str
    asset: str
    severity: Severity
    observed: str | int | float | None
    unexpected_count: int | None
    meaning: str

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {self.severity!r}")
        if not self.domain or not self.check_name:
            raise ValueError("a CheckFailure needs a domain and a check_name")

    @property
    def blocking(self) -> bool:
        return self.severity == "blocking"


class QuarantineCount(NamedTuple):
    """Rows of one domain kept out of the marts in this run, for one reason."""

    domain: str
    reason: str
    count: int


def default_quarantine_tables(domain: str) -> tuple[str, ...]:
    """The quarantine tables dbt builds for `domain` (see dbt_project/models/quarantine/)."""
    tables = [f"quarantine.quarantine_{domain}"]
    if domain in DOMAINS:
        tables.append("quarantine.identity_review")
    return tuple(tables)
