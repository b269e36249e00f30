"""What a suite run returns: per rule, pass or fail with counts — never the offending values.

FERPA: results travel to emails, Dagster metadata and audit tables, so they hold counts, shares
and rule names only. GX's samples (`partial_unexpected_list`, `unexpected_rows`, ...) are never
copied here, an observed value is kept only when it is a number on a column that cannot identify
a student, and error messages lose their quoted literals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

# Columns whose values could identify a student: their observed values are never returned.
_SENSITIVE_COLUMN = re.compile(r"(name|birth|email|(^|_)id$|ssn|address|phone)", re.IGNORECASE)
_QUOTED = re.compile(r"('[^']*'|\"[^\"]*\")")


def is_sensitive_column(column: str | None) -> bool:
    return bool(column) and any(_SENSITIVE_COLUMN.search(c) for c in str(column).split("+"))


def redact(message: str, limit: int = 300) -> str:
    """An error message without quoted literals (they may hold a name or an ID), shortened."""
    text = _QUOTED.sub("'…'", message.splitlines()[0] if message else "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_number(value: Any) -> int | float | None:
    """`value` when it is a plain number (not a bool, date or string), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


@dataclass(frozen=True)
class ExpectationOutcome:
    """One rule's outcome: counts and words, no data values."""

    name: str
    expectation_type: str
    column: str | None
    success: bool
    observed_value: int | float | None
    unexpected_count: int | None
    unexpected_percent: float | None
    element_count: int | None
    description: str
    severity: str  # "blocking" or "warning"
    error: str | None = None
    # For a rule with `names` (spec): what the offending rows name, e.g. a school; never a student.
    named: str | None = None

    @property
    def blocking(self) -> bool:
        return self.severity == "blocking"

    def sentence(self) -> str:
        """The outcome in plain words, for an email or a log line."""
        if self.error:
            return f"{self.name}: could not be checked ({self.error})."
        if self.success:
            return f"{self.name}: passed."
        if self.unexpected_count is not None:
            rows = f"{self.unexpected_count:,} row{'s' if self.unexpected_count != 1 else ''}"
            where = f" of {self.element_count:,}" if self.element_count else ""
            return f"{self.name}: {rows}{where} failed ({self.severity}). {self.description}"
        observed = "" if self.observed_value is None else f" (observed {self.observed_value})"
        return f"{self.name}: failed{observed} ({self.severity}). {self.description}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "expectation_type": self.expectation_type,
            "column": self.column,
            "success": self.success,
            "observed_value": self.observed_value,
            "unexpected_count": self.unexpected_count,
            "unexpected_percent": self.unexpected_percent,
            "element_count": self.element_count,
            "description": self.description,
            "severity": self.severity,
            "error": self.error,
            "named": self.named,
        }


@dataclass(frozen=True)
class SuiteResult:
    """A suite run on one table: its outcomes, and the Data Docs page set when built."""

    suite: str
    domain: str
    asset_key: list[str]
    table: str
    run_id: str
    checked_at: datetime
    seconds: float
    outcomes: tuple[ExpectationOutcome, ...]
    data_docs_index: Path | None = None

    @property
    def success(self) -> bool:
        """Every rule passed (warnings included)."""
        return all(o.success for o in self.outcomes)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def blocking_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.failures if o.blocking]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.failures if not o.blocking]

    @property
    def blocked(self) -> bool:
        """A blocking rule failed: downstream assets should not run."""
        return bool(self.blocking_failures)

    def outcome(self, name: str) -> ExpectationOutcome:
        for o in self.outcomes:
            if o.name == name:
                return o
        raise KeyError(f"suite {self.suite} has no rule {name!r}")

    def summary(self) -> str:
        """One paragraph a steward can read: which rules failed and how many rows."""
        if self.success:
            return f"{self.suite} ({self.table}): all {len(self.outcomes)} rules passed."
        lines = [
            f"{self.suite} ({self.table}): {len(self.failures)} of {len(self.outcomes)} rules "
            f"failed, {len(self.blocking_failures)} blocking."
        ]
        lines += [f"- {o.sentence()}" for o in self.failures]
        return "\n".join(lines)

    def to_metadata(self) -> dict[str, Any]:
        """JSON-ready metadata (for a Dagster AssetCheckResult): counts and rule names only."""
        return {
            "suite": self.suite,
            "domain": self.domain,
            "table": self.table,
            "rules_checked": len(self.outcomes),
            "rules_failed": [o.name for o in self.failures],
            "blocking_failed": [o.name for o in self.blocking_failures],
            "unexpected_counts": {
                o.name: o.unexpected_count for o in self.failures if o.unexpected_count is not None
            },
            "seconds": round(self.seconds, 3),
            "data_docs": str(self.data_docs_index) if self.data_docs_index else None,
        }

    def to_records(self) -> list[dict[str, Any]]:
        """One flat row per rule, for an audit table."""
        base = {
            "run_id": self.run_id,
            "suite": self.suite,
            "domain": self.domain,
            "asset_key": "/".join(self.asset_key),
            "table_name": self.table,
            "checked_at": self.checked_at,
        }
        return [{**base, **o.to_dict()} for o in self.outcomes]
