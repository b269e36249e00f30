"""What a data-quality suite is, as plain data: which table, which rules, which are blocking.

Suites are declared in `expectations/suites/` with these dataclasses and only turned into
Great Expectations objects by the runner, so a suite can be listed, reviewed and wired into
Dagster without starting GX. Every rule carries the sentence a data steward reads when it fails.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from great_expectations.expectations.expectation import Expectation

from settings.domains import DOMAINS, Domain

# Dagster check names and GX suite names: letters, digits and underscores.
_NAME = re.compile(r"^[A-Za-z0-9_]+$")
_TABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class ExpectationSpec:
    """One rule: a GX expectation class, its arguments, and what a failure means.

    `rule` names a rule that has no single column (a SQL check); otherwise the column names it.
    """

    expectation: type[Expectation]
    kwargs: Mapping[str, Any]
    meaning: str
    blocking: bool = True
    rule: str | None = None
    # Columns of a SQL rule's offending rows that name no student (a school's ID and name): when
    # the rule fails, their values are reported with it so the steward knows where to look.
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.meaning.strip():
            raise ValueError(f"{self.expectation.__name__}: a rule needs a plain-words meaning")
        if self.rule is None and self.column is None:
            raise ValueError(f"{self.expectation.__name__}: name a column or a rule")

    @property
    def expectation_type(self) -> str:
        """GX's snake_case name, e.g. `expect_column_values_to_not_be_null`.

        A districtwide refinement of a GX expectation (`gx_rows`) reports the one it refines, so
        rule names do not change with how a rule is computed.
        """
        return str(getattr(self.expectation, "reported_type", self.expectation.expectation_type))

    @property
    def column(self) -> str | None:
        if "column" in self.kwargs:
            return str(self.kwargs["column"])
        for key in ("column_list", "column_A"):
            if key in self.kwargs:
                cols = self.kwargs[key]
                if key == "column_A":
                    cols = [self.kwargs["column_A"], self.kwargs["column_B"]]
                return "+".join(str(c) for c in cols)
        return None

    @property
    def name(self) -> str:
        """Expectation type and column (or rule): `expect_column_values_to_be_unique:user_id`."""
        return f"{self.expectation_type}:{self.rule or self.column}"

    @property
    def severity(self) -> str:
        return "blocking" if self.blocking else "warning"

    def build(self) -> Expectation:
        """A fresh GX expectation (GX binds an expectation to the suite it is added to)."""
        return self.expectation(
            **dict(self.kwargs),
            description=self.meaning,
            severity="critical" if self.blocking else "warning",
            meta={"districtwide_rule": self.name, "blocking": self.blocking},
        )


@dataclass(frozen=True)
class SuiteSpec:
    """The rules checked on one warehouse table, and the Dagster asset that produced it."""

    name: str
    domain: Domain
    asset_key: list[str]
    table: str
    expectations: Sequence[ExpectationSpec] = field(default_factory=tuple)
    description: str = ""

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"suite name {self.name!r}: use letters, digits and underscores")
        if self.domain not in DOMAINS:
            raise ValueError(f"suite {self.name}: domain {self.domain!r} not in {DOMAINS}")
        if not _TABLE.match(self.table):
            raise ValueError(f"suite {self.name}: table {self.table!r} is not schema.table")
        if not self.expectations:
            raise ValueError(f"suite {self.name}: no expectations")
        names = [e.name for e in self.expectations]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"suite {self.name}: rules named twice: {duplicated}")

    @property
    def schema(self) -> str:
        return self.table.split(".", 1)[0]

    @property
    def table_name(self) -> str:
        return self.table.split(".", 1)[1]

    @property
    def blocking(self) -> bool:
        """True when any rule is blocking (the Dagster check should then be blocking)."""
        return any(e.blocking for e in self.expectations)
