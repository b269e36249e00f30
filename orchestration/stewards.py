"""Who answers for which data: the district's config file of domains, sources and stewards.

A failed check is only useful if it reaches the person who can fix it: the SIS coordinator for
rosters, the attendance secretary's supervisor for attendance codes, the assessment coordinator
for test files. Those people differ in every district, so they live in a YAML file the district
edits (`district.yaml` in the data folder), not in code. District IT is named separately: a run
that crashes is theirs, not a steward's.

The file is read once per alert and validated strictly, so a typo (`steward:` for `stewards:`,
an address without `@`) fails loudly with the file and key at fault instead of silently sending
alerts to nobody.

The same file declares the district's improvement-plan goals (`goals:`, see district.example.yaml),
validated here and written for dbt by orchestration/goals.py.

Where the file is found, first match wins:

1. `$DISTRICTWIDE_CONFIG`, if set (it must exist);
2. `district.yaml` in the data folder (`$DISTRICTWIDE_HOME`, else `data/`);
3. the repository's `district.example.yaml` (example.org addresses; a warning is logged).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from connectors.home import REPO_ROOT, default_home

log = logging.getLogger(__name__)

CONFIG_ENV = "DISTRICTWIDE_CONFIG"
CONFIG_FILENAME = "district.yaml"
EXAMPLE_CONFIG = REPO_ROOT / "district.example.yaml"

# The data domains of districtwide; each owns the raw tables named `<domain>__<entity>`.
DOMAINS: tuple[str, ...] = ("sis", "attendance", "assessment")

_EMAIL = re.compile(r"^[^@\s<>\",;]+@[^@\s<>\",;]+\.[^@\s<>\",;]+$")
_SOURCE = re.compile(r"^[a-z][a-z0-9]*__[a-z0-9_]+$")

_TOP_KEYS = {"district", "domains", "district_it", "quality", "goals"}
_DISTRICT_KEYS = {"name"}
_DOMAIN_KEYS = {"description", "sources", "stewards"}
_CONTACT_KEYS = {"name", "email", "role"}
_GOAL_KEYS = {
    "name",
    "metric",
    "scope",
    "subgroup",
    "subject",
    "baseline_year",
    "baseline_value",
    "target_year",
    "target_value",
}
# Improvement-plan metrics (marts/goals/fct_goal_progress.sql); rates are shares between 0 and 1.
GOAL_METRICS: tuple[str, ...] = ("chronic_absence_rate", "attendance_rate", "proficiency_rate")
GOAL_SUBJECTS: tuple[str, ...] = ("English Language Arts", "Mathematics")


class ConfigError(ValueError):
    """The district config file is missing, unreadable or invalid (message names file and key)."""


@dataclass(frozen=True)
class Contact:
    """A person who receives alerts: a data steward or a district IT contact."""

    name: str
    email: str
    role: str | None = None


@dataclass(frozen=True)
class Goal:
    """An improvement-plan goal: a metric for the district or a school (and optionally one
    subgroup and subject) to move from a baseline to a target value by a target school year."""

    name: str
    metric: str
    scope: str  # 'district' or a school's SIS sourcedId
    baseline_year: int
    baseline_value: float
    target_year: int
    target_value: float
    subgroup: str | None = None  # a subgroup value of the marts, e.g. 'Low income'
    subject: str | None = None  # proficiency_rate only


# Stewards and IT contacts have the same shape; the alias keeps call sites readable.
Steward = Contact


@dataclass(frozen=True)
class Domain:
    """One data domain: the raw tables it owns and the stewards who answer for them."""

    name: str
    sources: tuple[str, ...]
    stewards: tuple[Contact, ...]
    description: str | None = None


@dataclass(frozen=True)
class DistrictConfig:
    """The validated district config file."""

    district_name: str
    domains: Mapping[str, Domain]
    district_it: tuple[Contact, ...]
    path: Path
    # Data-quality thresholds (expectations.QualitySettings field names); defaults when absent.
    quality: Mapping[str, Any] = field(default_factory=dict)
    # Improvement-plan goals, in file order.
    goals: tuple[Goal, ...] = ()

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


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the district config file is (see the module docstring for the order)."""
    env = os.environ if env is None else env
    explicit = env.get(CONFIG_ENV)
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(f"{CONFIG_ENV} points to {path}, which is not a file")
        return path.resolve()
    home = Path(env["DISTRICTWIDE_HOME"]) if env.get("DISTRICTWIDE_HOME") else default_home()
    in_home = home / CONFIG_FILENAME
    if in_home.is_file():
        return in_home.resolve()
    log.warning(
        "no %s in %s and %s is not set: using %s (example.org addresses)",
        CONFIG_FILENAME,
        home,
        CONFIG_ENV,
        EXAMPLE_CONFIG,
    )
    return EXAMPLE_CONFIG


def load_config(
    path: Path | str | None = None, env: Mapping[str, str] | None = None
) -> DistrictConfig:
    """Read and validate the district config file (`path`, else found by `config_path`)."""
    path = Path(path) if path is not None else config_path(env)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the district config file ({exc.strerror})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    return parse_config(data, path)


def parse_config(data: Any, path: Path | str = "<config>") -> DistrictConfig:
    """Validate the parsed YAML `data` of file `path` into a DistrictConfig."""
    path = Path(path)
    top = _mapping(data, "the top level", path)
    _no_unknown_keys(top, _TOP_KEYS, "the top level", path)
    district = _mapping(top.get("district", {}), "district", path)
    _no_unknown_keys(district, _DISTRICT_KEYS, "district", path)
    name = _text(district.get("name", "districtwide"), "district.name", path)
    domains = _parse_domains(top.get("domains"), path)
    it = _parse_contacts(top.get("district_it"), "district_it", path)
    quality = dict(_mapping(top.get("quality") or {}, "quality", path))
    goals = _parse_goals(top.get("goals"), path)
    return DistrictConfig(
        district_name=name,
        domains=domains,
        district_it=it,
        path=path,
        quality=quality,
        goals=goals,
    )


def _parse_goals(data: Any, path: Path) -> tuple[Goal, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ConfigError(f"{path}: goals: expected a list, got {_kind(data)}")
    goals = tuple(_parse_goal(item, f"goals[{i}]", path) for i, item in enumerate(data))
    names = [g.name for g in goals]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ConfigError(f"{path}: goals: duplicate name(s) {duplicated}")
    return goals


def _parse_goal(data: Any, where: str, path: Path) -> Goal:
    body = _mapping(data, where, path)
    _no_unknown_keys(body, _GOAL_KEYS, where, path)
    missing = sorted(k for k in _GOAL_KEYS - {"subgroup", "subject"} if body.get(k) is None)
    if missing:
        raise ConfigError(f"{path}: {where}: missing key(s) {missing}")
    metric = _text(body["metric"], f"{where}.metric", path)
    if metric not in GOAL_METRICS:
        raise ConfigError(f"{path}: {where}.metric: {metric!r} is not one of {list(GOAL_METRICS)}")
    subject = body.get("subject")
    if metric == "proficiency_rate":
        if subject not in GOAL_SUBJECTS:
            raise ConfigError(
                f"{path}: {where}.subject: proficiency_rate needs one of {list(GOAL_SUBJECTS)}"
            )
    elif subject is not None:
        raise ConfigError(f"{path}: {where}.subject: only proficiency_rate goals have a subject")
    years = {k: _year(body[k], f"{where}.{k}", path) for k in ("baseline_year", "target_year")}
    if years["target_year"] <= years["baseline_year"]:
        raise ConfigError(f"{path}: {where}: target_year must come after baseline_year")
    values = {k: _rate(body[k], f"{where}.{k}", path) for k in ("baseline_value", "target_value")}
    subgroup = body.get("subgroup")
    return Goal(
        name=_text(body["name"], f"{where}.name", path),
        metric=metric,
        scope=_text(body["scope"], f"{where}.scope", path),
        subgroup=None if subgroup is None else _text(subgroup, f"{where}.subgroup", path),
        subject=subject,
        **years,
        **values,
    )


def _year(value: Any, where: str, path: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 < value < 2200:
        raise ConfigError(f"{path}: {where}: expected a school year such as 2026, got {value!r}")
    return value


def _rate(value: Any, where: str, path: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(f"{path}: {where}: expected a share between 0 and 1, got {value!r}")
    return float(value)


def _parse_domains(data: Any, path: Path) -> dict[str, Domain]:
    if data is None:
        raise ConfigError(f"{path}: missing key 'domains' (one entry each for {list(DOMAINS)})")
    domains_map = _mapping(data, "domains", path)
    unknown = sorted(set(domains_map) - set(DOMAINS))
    if unknown:
        raise ConfigError(f"{path}: domains: unknown domain(s) {unknown}; known: {list(DOMAINS)}")
    missing = [d for d in DOMAINS if d not in domains_map]
    if missing:
        raise ConfigError(f"{path}: domains: missing domain(s) {missing}")
    domains = {name: _parse_domain(name, domains_map[name], path) for name in DOMAINS}
    _no_shared_sources(domains, path)
    return domains


def _parse_domain(name: str, data: Any, path: Path) -> Domain:
    where = f"domains.{name}"
    body = _mapping(data, where, path)
    _no_unknown_keys(body, _DOMAIN_KEYS, where, path)
    sources = _parse_sources(name, body.get("sources"), path)
    stewards = _parse_contacts(body.get("stewards"), f"{where}.stewards", path)
    description = body.get("description")
    if description is not None:
        description = _text(description, f"{where}.description", path)
    return Domain(name=name, sources=sources, stewards=stewards, description=description)


def _parse_sources(domain: str, data: Any, path: Path) -> tuple[str, ...]:
    where = f"domains.{domain}.sources"
    items = _non_empty_list(data, where, path)
    sources = []
    for i, item in enumerate(items):
        table = _text(item, f"{where}[{i}]", path)
        if not _SOURCE.match(table) or not table.startswith(f"{domain}__"):
            raise ConfigError(
                f"{path}: {where}[{i}]: {table!r} is not a raw table of this domain "
                f"(expected '{domain}__<entity>', e.g. '{domain}__{_example_entity(domain)}')"
            )
        if table in sources:
            raise ConfigError(f"{path}: {where}[{i}]: {table!r} is listed twice")
        sources.append(table)
    return tuple(sources)


def _parse_contacts(data: Any, where: str, path: Path) -> tuple[Contact, ...]:
    items = _non_empty_list(data, where, path)
    contacts = []
    for i, item in enumerate(items):
        here = f"{where}[{i}]"
        body = _mapping(item, here, path)
        _no_unknown_keys(body, _CONTACT_KEYS, here, path)
        name = _text(body.get("name"), f"{here}.name", path)
        email = _text(body.get("email"), f"{here}.email", path)
        if not _EMAIL.match(email):
            raise ConfigError(f"{path}: {here}.email: {email!r} is not an email address")
        role = body.get("role")
        contacts.append(
            Contact(
                name=name,
                email=email,
                role=None if role is None else _text(role, f"{here}.role", path),
            )
        )
    return tuple(contacts)


def _no_shared_sources(domains: Mapping[str, Domain], path: Path) -> None:
    owner: dict[str, str] = {}
    for domain in domains.values():
        for table in domain.sources:
            if table in owner:
                raise ConfigError(
                    f"{path}: source {table!r} is listed under both "
                    f"domains.{owner[table]} and domains.{domain.name}"
                )
            owner[table] = domain.name


def _mapping(value: Any, where: str, path: Path) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{path}: {where}: expected a mapping, got {_kind(value)}")
    return value


def _non_empty_list(value: Any, where: str, path: Path) -> list[Any]:
    if value is None:
        raise ConfigError(f"{path}: missing key '{where}' (a list with at least one entry)")
    if not isinstance(value, list):
        raise ConfigError(f"{path}: {where}: expected a list, got {_kind(value)}")
    if not value:
        raise ConfigError(f"{path}: {where}: the list is empty; name at least one entry")
    return value


def _text(value: Any, where: str, path: Path) -> str:
    if value is None:
        raise ConfigError(f"{path}: missing key '{where}'")
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: {where}: expected non-empty text, got {_kind(value)}")
    return value.strip()


def _no_unknown_keys(body: Mapping[str, Any], allowed: set[str], where: str, path: Path) -> None:
    unknown = sorted(str(k) for k in body if k not in allowed)
    if unknown:
        raise ConfigError(f"{path}: {where}: unknown key(s) {unknown}; allowed: {sorted(allowed)}")


def _kind(value: Any) -> str:
    return "nothing" if value is None else f"{type(value).__name__} {value!r}"[:80]


def _example_entity(domain: str) -> str:
    return {"sis": "users", "attendance": "exceptions", "assessment": "state_results"}.get(
        domain, "entity"
    )
