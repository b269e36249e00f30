"""Who answers for which data, and the district's own settings: the district config file.

A failed check is only useful if it reaches the person who can fix it: the SIS coordinator for
rosters, the attendance secretary's supervisor for attendance codes, the assessment coordinator
for test files. Those people differ in every district, so they live in a YAML file the district
edits, not in code. District IT is named separately: a run that crashes is theirs, not a
steward's. The same file holds the improvement-plan goals (`goals:`), the quality thresholds
(`quality:`, `settings.quality`), the metric settings (`metrics:`, `settings.metrics`) and
which SIS fields hold the student IDs (`sis:`, `settings.sis`) and how other systems' IDs are
compared with them (`identity:`, `settings.identity`).

The file is validated strictly by the pydantic models below, so a typo (`steward:` for
`stewards:`, an address without `@`) fails loudly with the file and key at fault instead of
silently sending alerts to nobody. Where the file is found: `settings.files`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from settings.domains import DOMAINS
from settings.identity import IdentitySettings
from settings.landing import LandingSettings
from settings.metrics import MetricSettings
from settings.quality import QualitySettings
from settings.sis import SisSettings

_EMAIL = re.compile(r"^[^@\s<>\",;]+@[^@\s<>\",;]+\.[^@\s<>\",;]+$")
_SOURCE = re.compile(r"^[a-z][a-z0-9]*__[a-z0-9_]+$")
# Improvement-plan metrics (marts/goals/fct_goal_progress.sql); rates are shares between 0 and 1.
GOAL_METRICS: tuple[str, ...] = ("chronic_absence_rate", "attendance_rate", "proficiency_rate")
GOAL_SUBJECTS: tuple[str, ...] = ("English Language Arts", "Mathematics")
EXAMPLE_ENTITY = {"sis": "users", "attendance": "exceptions", "assessment": "state_results"}


class ConfigError(ValueError):
    """The district config file is missing, unreadable or invalid (message names file and key)."""


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected non-empty text, got {_kind(value)}")
    return value.strip()


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 < value < 2200:
        raise ValueError(f"expected a school year such as 2026, got {value!r}")
    return value


def _rate(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"expected a share between 0 and 1, got {value!r}")
    return float(value)


Text = Annotated[str, BeforeValidator(_text)]
Email = Annotated[Text, AfterValidator(_email)]
Year = Annotated[int, BeforeValidator(_year)]
Rate = Annotated[float, BeforeValidator(_rate)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Strict):
    """A person who receives alerts: a data steward or a district IT contact."""

    name: Text
    email: Email
    role: Text | None = None


# Stewards and IT contacts have the same shape; the alias keeps call sites readable.
Steward = Contact


class Goal(_Strict):
    """An improvement-plan goal: a metric for the district or a school (and optionally one
    subgroup and subject) to move from a baseline to a target value by a target school year."""

    name: Text
    metric: Text
    scope: Text  # 'district' or a school's SIS sourcedId
    baseline_year: Year
    baseline_value: Rate
    target_year: Year
    target_value: Rate
    subgroup: Text | None = None  # a subgroup value of the marts, e.g. 'Low income'
    subject: Text | None = None  # proficiency_rate only

    @model_validator(mode="before")
    @classmethod
    def _none_is_absent(cls, data: Any) -> Any:
        return {k: v for k, v in data.items() if v is not None} if isinstance(data, dict) else data

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, metric: str) -> str:
        if metric not in GOAL_METRICS:
            raise ValueError(f"{metric!r} is not one of {list(GOAL_METRICS)}")
        return metric

    @model_validator(mode="after")
    def _consistent(self) -> Goal:
        if self.metric == "proficiency_rate" and self.subject not in GOAL_SUBJECTS:
            raise ValueError(f"subject: proficiency_rate needs one of {list(GOAL_SUBJECTS)}")
        if self.metric != "proficiency_rate" and self.subject is not None:
            raise ValueError("subject: only proficiency_rate goals have a subject")
        if self.target_year <= self.baseline_year:
            raise ValueError("target_year must come after baseline_year")
        return self


class Domain(_Strict):
    """One data domain: the raw tables it owns and the stewards who answer for them."""

    name: str
    description: Text | None = None
    sources: tuple[Text, ...] = Field(min_length=1)
    stewards: tuple[Contact, ...] = Field(min_length=1)

    @field_validator("sources")
    @classmethod
    def _own_tables(cls, sources: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        domain = info.data.get("name", "")
        for i, table in enumerate(sources):
            if not _SOURCE.match(table) or not table.startswith(f"{domain}__"):
                raise ValueError(
                    f"[{i}]: {table!r} is not a raw table of this domain (expected "
                    f"'{domain}__<entity>', e.g. '{domain}__{EXAMPLE_ENTITY.get(domain, 'x')}')"
                )
            if table in sources[:i]:
                raise ValueError(f"[{i}]: {table!r} is listed twice")
        return sources


class DistrictConfig(_Strict):
    """The validated district config file."""

    district_name: str = "districtwide"
    domains: Mapping[str, Domain]
    district_it: tuple[Contact, ...] = Field(min_length=1)
    path: Path = Path("<config>")
    # Data-quality thresholds; min_cell_size comes from `metrics`.
    quality: QualitySettings = QualitySettings()
    # Improvement-plan goals, in file order.
    goals: tuple[Goal, ...] = ()
    # The marts' metric settings, passed to dbt as vars.
    metrics: MetricSettings = MetricSettings()
    # Which SIS user fields hold the local and state IDs, passed to dbt as vars.
    sis: SisSettings = SisSettings()
    # How other systems' student IDs are compared with the SIS's (leading zeros).
    identity: IdentitySettings = IdentitySettings()
    # How many parser rejects set a file aside; which symbolic links in landing are followed.
    landing: LandingSettings = LandingSettings()

    def dbt_vars(self) -> dict[str, Any]:
        """Every setting the models read, as dbt `--vars`: one place, so that each build of
        the models (the nightly one, a hold-back's rebuild) builds them alike."""
        return self.metrics.dbt_vars() | self.sis.dbt_vars() | self.identity.dbt_vars()

    @model_validator(mode="before")
    @classmethod
    def _from_file(cls, data: Any) -> Any:
        """The file's shape (`district: {name}`, domains keyed by name) onto the fields."""
        if not isinstance(data, Mapping):
            raise ValueError(f"expected a mapping, got {_kind(data)}")
        data = dict(data)
        district = data.pop("district", None) or {}
        if isinstance(district, Mapping):
            unknown = sorted(set(district) - {"name"})
            if unknown:
                raise ValueError(f"district: unknown key(s) {unknown}; allowed: ['name']")
            data.setdefault("district_name", district.get("name", "districtwide"))
        domains = data.get("domains")
        if isinstance(domains, Mapping):
            unknown = sorted(str(name) for name in set(domains) - set(DOMAINS))
            if unknown:
                raise ValueError(f"domains: unknown domain(s) {unknown}; known: {list(DOMAINS)}")
            data["domains"] = {
                name: {**body, "name": name} if isinstance(body, Mapping) else body
                for name, body in domains.items()
            }
        for key in ("quality", "goals", "metrics", "sis", "identity", "landing"):
            if data.get(key) is None:
                data.pop(key, None)
        return data

    @field_validator("domains")
    @classmethod
    def _every_domain(cls, domains: Mapping[str, Domain]) -> dict[str, Domain]:
        missing = [d for d in DOMAINS if d not in domains]
        if missing:
            raise ValueError(f"missing domain(s) {missing}")
        owner: dict[str, str] = {}
        for domain in domains.values():
            for table in domain.sources:
                if table in owner:
                    raise ValueError(
                        f"source {table!r} is listed under both "
                        f"domains.{owner[table]} and domains.{domain.name}"
                    )
                owner[table] = domain.name
        return {name: domains[name] for name in DOMAINS}

    @field_validator("goals")
    @classmethod
    def _unique_goals(cls, goals: tuple[Goal, ...]) -> tuple[Goal, ...]:
        names = [g.name for g in goals]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"duplicate name(s) {duplicated}")
        return goals

    @model_validator(mode="after")
    def _one_min_cell_size(self) -> DistrictConfig:
        """The checks' min_cell_size is the marts' (`metrics:`), set in one place."""
        if "min_cell_size" in self.quality.model_fields_set:
            raise ValueError("quality.min_cell_size: set it under metrics: (dbt reads it too)")
        quality = self.quality.model_copy(update={"min_cell_size": self.metrics.min_cell_size})
        object.__setattr__(self, "quality", quality)
        return self

    def domain(self, name: str) -> Domain:
        """The domain called `name`; KeyError names the file when it is not configured."""
        try:
            return self.domains[name]
        except KeyError:
            raise KeyError(
                f"{self.path}: no domain {name!r} (have {sorted(self.domains)})"
            ) from None

    def domain_for_source(self, table: str) -> Domain | None:
        """The domain owning raw table `table` (e.g. `sis__users`), or None."""
        for domain in self.domains.values():
            if table in domain.sources:
                return domain
        return None


def parse_config(data: Any, path: Path | str = "<config>") -> DistrictConfig:
    """Validate the parsed YAML `data` of file `path` into a DistrictConfig."""
    path = Path(path)
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: the top level: expected a mapping, got {_kind(data)}")
    unknown = sorted(str(k) for k in data if k not in _TOP_KEYS)
    if unknown:
        raise ConfigError(
            f"{path}: the top level: unknown key(s) {unknown}; allowed: {sorted(_TOP_KEYS)}"
        )
    try:
        return DistrictConfig.model_validate({**data, "path": path})
    except ValidationError as exc:
        raise ConfigError(f"{path}: " + "; ".join(_describe(e) for e in exc.errors())) from None


_TOP_KEYS = {
    "district",
    "domains",
    "district_it",
    "quality",
    "goals",
    "metrics",
    "sis",
    "identity",
    "landing",
}


def _describe(error: Mapping[str, Any]) -> str:
    """One pydantic error as `where: what`, `where` in the file's own terms."""
    where = _where(error["loc"])
    kind = error["type"]
    if kind == "missing":
        return f"missing key '{where}'"
    if kind == "extra_forbidden":
        parent, _, key = where.rpartition(".")
        return f"{parent or 'the top level'}: unknown key(s) [{key!r}]"
    if kind == "too_short":
        return f"{where}: the list is empty; name at least one entry"
    message = str(error["msg"]).removeprefix("Value error, ")
    if message.startswith("["):
        return f"{where}{message}"
    return f"{where}: {message}" if where else message


def _where(loc: tuple[Any, ...]) -> str:
    """('domains', 'sis', 'stewards', 0, 'email') → domains.sis.stewards[0].email."""
    names = {"district_name": "district.name"}
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            part = names.get(str(part), str(part))
            out += f".{part}" if out else part
    return out


def _kind(value: Any) -> str:
    return "nothing" if value is None else f"{type(value).__name__} {value!r}"[:80]
