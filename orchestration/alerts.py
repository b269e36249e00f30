"""Data-steward alerts: tell the people who own the data, in plain words, when its checks fail.

A failed check nobody hears about is a dashboard quietly showing wrong numbers. After each
consolidated load, every domain with failed checks gets ONE email to its stewards (named in the
district config file, see `orchestration.stewards`): which checks failed, whether they blocked
publishing (blocking = today's marts were not published; yesterday's stay in place), how many
rows were quarantined and why, and where to look (Data Docs, quarantine tables). A run that
crashes, rather than a check that fails, goes to district IT instead.

Repeats are said once a day: the same failure set (domain + sorted check names) on consecutive
runs is emailed on the first run of each calendar day (in the time zone of `now`), not on every
sensor-triggered run. A run where the domain passes ends the streak. The state is a small JSON
file, `<state_dir>/alert_state.json`.

FERPA. An alert carries counts and rule names, never student names, birth dates or IDs. Callers
pass only counts and rule names; as a second line of defence every caller-supplied text that goes
into an email (`observed`, `meaning`, check and asset names, quarantine reasons, a crashed run's
error message) passes `scrub_student_data`, which replaces
  - date-like tokens (2012-03-04, 03/04/2012, 3-4-12, "March 4, 2012") → [date removed],
  - tokens holding a run of 5+ digits (state and local student IDs, `S0012345`, and 20120304)
    → [id removed],
  - email addresses → [email removed], and SSN-shaped 123-45-6789 → [id removed],
  - any value of the optional `forbidden` list (known names, birth dates, IDs) → [removed].
Numbers in `observed` are scrubbed like text, so an observed row count of 12000 shows as
[id removed]: report counts in `unexpected_count` (never scrubbed) or as "12,000". A crashed
run's error message additionally loses quoted literals that are not snake_case identifiers
(a database error quoting a row's value). Finally the composed text is checked with
`assert_no_student_data`; a message that still holds a forbidden value is withheld, not sent.
Logs name domains, check counts and file paths only: never message bodies, never the password.

Transport, from the environment (nothing secret lives in the config file):
  DISTRICTWIDE_SMTP_HOST      SMTP server; unset → each alert is written as a .eml file to
                              `<state_dir>/outbox/` (and logged, and listed in the AlertReport)
  DISTRICTWIDE_SMTP_PORT      default 587 (starttls), 465 (ssl), 25 (none)
  DISTRICTWIDE_SMTP_TLS       starttls (default) | ssl | none
  DISTRICTWIDE_SMTP_USER      login user, optional (no login when unset)
  DISTRICTWIDE_SMTP_PASSWORD  login password; refused over a non-TLS link except on loopback
  DISTRICTWIDE_SMTP_FROM      sender address, default districtwide@localhost
An email that the server refuses is saved to the outbox too, and reported as failed; it is not
marked as said, so the next run tries again.
"""

from __future__ import annotations

import json
import logging
import os
import re
import smtplib
import ssl
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parsedate_to_datetime
from pathlib import Path
from typing import Literal, NamedTuple, Protocol

from orchestration.stewards import Contact, DistrictConfig

log = logging.getLogger(__name__)

Severity = Literal["blocking", "warning"]
SEVERITIES: tuple[str, ...] = ("blocking", "warning")
TlsMode = Literal["none", "starttls", "ssl"]

ENV_HOST = "DISTRICTWIDE_SMTP_HOST"
ENV_PORT = "DISTRICTWIDE_SMTP_PORT"
ENV_TLS = "DISTRICTWIDE_SMTP_TLS"
ENV_USER = "DISTRICTWIDE_SMTP_USER"
ENV_PASSWORD = "DISTRICTWIDE_SMTP_PASSWORD"
ENV_FROM = "DISTRICTWIDE_SMTP_FROM"
DEFAULT_FROM = "districtwide@localhost"
DEFAULT_PORTS: Mapping[str, int] = {"starttls": 587, "ssl": 465, "none": 25}

STATE_FILE = "alert_state.json"
OUTBOX_DIR = "outbox"
SUBJECT_PREFIX = "[districtwide]"
OBSERVED_MAX_CHARS = 200
ERROR_MAX_CHARS = 600


class StudentDataError(ValueError):
    """Text meant for an email holds a value known to identify a student; it is not sent."""


class AlertConfigError(ValueError):
    """The DISTRICTWIDE_SMTP_* environment is invalid (the message names the variable)."""


# ─── inputs ──────────────────────────────────────────────────────────────────────────────────


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
    if domain in ("sis", "attendance", "assessment"):
        tables.append("quarantine.identity_review")
    return tuple(tables)


# ─── FERPA guard ─────────────────────────────────────────────────────────────────────────────

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_PATTERNS = (
    re.compile(r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    re.compile(r"\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b"),
    re.compile(rf"\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}}\b", re.IGNORECASE),
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\.?,?\s+\d{{2,4}}\b", re.IGNORECASE),
)
_EMAIL_TOKEN = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
# A whole token (letters, digits, _ and -) holding 5 or more digits in a row: 1234567, S0012345,
# 20120304. The decimals of a number (0.000123) are not a token of their own.
_ID_TOKEN = re.compile(r"(?<![\w-])(?<!\d\.)[\w-]*\d{5,}[\w-]*")
_QUOTED = re.compile(r"(['\"])(.*?)\1")
# A snake_case or dotted name, e.g. main.stg_sis__users (not a person's name or a value).
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$")

DATE_REMOVED = "[date removed]"
ID_REMOVED = "[id removed]"
EMAIL_REMOVED = "[email removed]"
REMOVED = "[removed]"


def scrub_student_data(text: object, forbidden: Iterable[str] = ()) -> str:
    """`text` as a string with date-, ID- and email-like tokens and `forbidden` values removed."""
    if isinstance(text, date):
        return DATE_REMOVED
    out = "" if text is None else str(text)
    for value in _forbidden_values(forbidden):
        out = _forbidden_pattern(value).sub(REMOVED, out)
    out = _EMAIL_TOKEN.sub(EMAIL_REMOVED, out)
    for pattern in _DATE_PATTERNS:
        out = pattern.sub(DATE_REMOVED, out)
    out = _SSN.sub(ID_REMOVED, out)
    return _ID_TOKEN.sub(ID_REMOVED, out)


def assert_no_student_data(text: str, forbidden: Iterable[str]) -> None:
    """Raise StudentDataError if `text` holds any `forbidden` value (case-insensitive, whole
    words). The message says how many values matched, never which: it may be logged."""
    hits = sum(1 for v in _forbidden_values(forbidden) if _forbidden_pattern(v).search(text))
    if hits:
        raise StudentDataError(f"text holds {hits} forbidden student value(s)")


def scrub_error_message(text: str, forbidden: Iterable[str] = ()) -> str:
    """A crashed run's error message, fit for email: quoted literals that are not snake_case
    identifiers (values of rows) are blanked, then `scrub_student_data`, then truncated."""

    def keep_identifiers(match: re.Match[str]) -> str:
        quote, inner = match.group(1), match.group(2)
        named = _IDENTIFIER.match(inner) and ("_" in inner or "." in inner)
        return match.group(0) if named else f"{quote}…{quote}"

    cleaned = scrub_student_data(_QUOTED.sub(keep_identifiers, text), forbidden)
    return _truncate(cleaned, ERROR_MAX_CHARS)


def _forbidden_values(forbidden: Iterable[str]) -> list[str]:
    return sorted({str(v).strip() for v in forbidden if str(v).strip()}, key=len, reverse=True)


def _forbidden_pattern(value: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(value)}(?!\w)", re.IGNORECASE)


def _observed_text(observed: object, forbidden: Iterable[str]) -> str:
    if observed is None or observed == "":
        return "not recorded"
    if isinstance(observed, float):
        observed = f"{observed:.4g}"
    return _truncate(scrub_student_data(observed, forbidden), OBSERVED_MAX_CHARS)


def _truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ─── composing ───────────────────────────────────────────────────────────────────────────────


def compose_domain_alert(
    domain: str,
    failures: Sequence[CheckFailure],
    quarantine: Iterable[tuple[str, str, int]],
    *,
    run_id: str,
    recipients: Sequence[Contact],
    sender: str = DEFAULT_FROM,
    data_docs_path: str | Path | None = None,
    quarantine_tables: Sequence[str] | None = None,
    district_name: str = "districtwide",
    now: datetime | None = None,
    failing_since: datetime | None = None,
    unconfigured_domain: bool = False,
    forbidden: Iterable[str] = (),
) -> EmailMessage:
    """The one email for `domain` in run `run_id`: its failed checks and quarantined rows.

    `quarantine` may hold other domains' counts; only `domain`'s are shown. `failing_since`
    (the first run of an unbroken streak of the same failures) marks the daily reminder.
    Raises StudentDataError if the composed text still holds a `forbidden` value.
    """
    now = _now(now)
    forbidden = list(forbidden)
    mine = sorted((f for f in failures if f.domain == domain), key=_failure_order)
    if not mine:
        raise ValueError(f"no failures for domain {domain!r}: nothing to alert")
    rows = [QuarantineCount(*q) for q in quarantine if q[0] == domain]
    tables = tuple(quarantine_tables or default_quarantine_tables(domain))
    subject = _domain_subject(domain, mine, run_id)
    sections = [
        _headline(domain, mine, run_id, now, district_name),
        _publish_meaning(mine),
        _failures_section(mine, forbidden),
        _quarantine_section(domain, rows, forbidden),
        _where_to_look(run_id, data_docs_path, tables),
        _repeat_note(failing_since, now),
        _footer(domain, unconfigured_domain),
    ]
    body = "\n\n".join(s for s in sections if s) + "\n"
    assert_no_student_data(subject + "\n" + body, forbidden)
    headers = {"X-Districtwide-Domain": domain, "X-Districtwide-Kind": "check-failures"}
    return _message(subject, body, sender, recipients, run_id, now, headers)


def compose_run_failure(
    error: BaseException | str,
    *,
    run_id: str,
    recipients: Sequence[Contact],
    sender: str = DEFAULT_FROM,
    job_name: str | None = None,
    step: str | None = None,
    run_url: str | None = None,
    error_type: str | None = None,
    district_name: str = "districtwide",
    now: datetime | None = None,
    forbidden: Iterable[str] = (),
) -> EmailMessage:
    """The email to district IT when run `run_id` itself failed (an exception, not a check)."""
    now = _now(now)
    forbidden = list(forbidden)
    kind = scrub_student_data(error_type or _error_kind(error), forbidden)
    message = scrub_error_message(str(error), forbidden)
    job = job_name or "the consolidated load"
    subject = f"{SUBJECT_PREFIX} run failed: {job} — run {_short(run_id)}"
    lines = [
        f"{district_name}: the run {run_id} of {job} failed at {_stamp(now)}.",
        "",
        f"Step:  {scrub_student_data(step, forbidden) if step else 'not recorded'}",
        f"Error: {kind}: {message}" if message else f"Error: {kind}",
        "",
        "What it means: nothing from this run was published. The marts and dashboards keep "
        "showing the last good load, unchanged. The data stewards were not emailed; this is "
        "a failure of the run, not of the data's checks.",
        "",
        "Where to look: the run's log in Dagster"
        + (f" ({run_url})" if run_url else f" (Runs → {run_id})")
        + " has the full error and traceback.",
        "",
        "The error text above had dates, ID-like numbers and quoted values removed; this email "
        "never carries student names, birth dates or IDs.",
    ]
    body = "\n".join(lines) + "\n"
    assert_no_student_data(subject + "\n" + body, forbidden)
    headers = {"X-Districtwide-Kind": "run-failure"}
    return _message(subject, body, sender, recipients, run_id, now, headers)


def _error_kind(error: BaseException | str) -> str:
    return type(error).__name__ if isinstance(error, BaseException) else "Error"


def _failure_order(failure: CheckFailure) -> tuple[int, str, str]:
    return (0 if failure.blocking else 1, failure.check_name, failure.asset)


def _domain_subject(domain: str, failures: Sequence[CheckFailure], run_id: str) -> str:
    n = len(failures)
    blocking = sum(f.blocking for f in failures)
    what = f"{n} check{'s' if n != 1 else ''} failed"
    return f"{SUBJECT_PREFIX} {domain}: {what} ({blocking} blocking) — run {_short(run_id)}"


def _headline(
    domain: str, failures: Sequence[CheckFailure], run_id: str, now: datetime, district: str
) -> str:
    n = len(failures)
    blocking = sum(f.blocking for f in failures)
    return (
        f"{district}: {n} data check{'s' if n != 1 else ''} on {domain} failed in run {run_id} "
        f"({_stamp(now)}); {blocking} of them {'is' if blocking == 1 else 'are'} blocking."
    )


def _publish_meaning(failures: Sequence[CheckFailure]) -> str:
    if any(f.blocking for f in failures):
        return (
            "What this means: a blocking check failed, so TODAY'S MARTS WERE NOT PUBLISHED.\n"
            "Dashboards and reports keep showing yesterday's data, which stays in place "
            "unchanged, until the problem is fixed and the load runs again."
        )
    return (
        "What this means: only warnings failed, so today's marts WERE published.\n"
        "The data loaded, but something looks off and deserves a look before people rely on it."
    )


def _failures_section(failures: Sequence[CheckFailure], forbidden: list[str]) -> str:
    lines = ["Failed checks", "-------------"]
    for i, f in enumerate(failures, start=1):
        effect = "blocking: stopped today's publish" if f.blocking else "warning: published anyway"
        lines.append(f"{i}. {scrub_student_data(f.check_name, forbidden)} ({effect})")
        lines.append(f"   Table:         {scrub_student_data(f.asset, forbidden)}")
        lines.append(
            f"   What it means: {_truncate(scrub_student_data(f.meaning, forbidden), 500)}"
        )
        lines.append(f"   Observed:      {_observed_text(f.observed, forbidden)}")
        if f.unexpected_count is not None:
            lines.append(f"   Rows affected: {f.unexpected_count:,}")
    return "\n".join(lines)


def _quarantine_section(domain: str, rows: Sequence[QuarantineCount], forbidden: list[str]) -> str:
    title = ["Rows quarantined in this run", "----------------------------"]
    if not rows:
        return "\n".join([*title, f"No {domain} rows were quarantined in this run."])
    lines = list(title)
    for row in sorted(rows, key=lambda r: (-r.count, r.reason)):
        lines.append(f"  {scrub_student_data(row.reason, forbidden)}: {row.count:,} rows")
    lines.append(f"  Total: {sum(r.count for r in rows):,} rows")
    lines.append(
        "Quarantined rows are kept out of the marts, each with its reason. They are not lost: "
        "fix them in the source system and they load on the next run."
    )
    return "\n".join(lines)


def _where_to_look(run_id: str, docs: str | Path | None, tables: Sequence[str]) -> str:
    return "\n".join(
        [
            "Where to look",
            "-------------",
            f"  Data Docs (every check, with details): {docs if docs else 'not configured'}",
            f"  Quarantine tables (the rows and why):  {', '.join(tables)}",
            f"  Dagster run:                           {run_id}",
        ]
    )


def _repeat_note(failing_since: datetime | None, now: datetime) -> str:
    if failing_since is None:
        return ""
    return (
        f"Reminder: these same checks have been failing on every run since {_stamp(failing_since)}."
        " You get this reminder once a day while they keep failing."
    )


def _footer(domain: str, unconfigured: bool) -> str:
    who = (
        f"The domain {domain!r} has no stewards in the district config file, so this went to "
        "district IT; add it to the config file to reach its stewards."
        if unconfigured
        else f"You get this because you are a data steward of {domain} in the district config file."
    )
    return (
        f"--\n{who}\n"
        "One email per domain per run; the same failures repeating are reported once a day.\n"
        "This email carries counts and rule names only, never student names, birth dates or "
        "IDs: open the quarantine tables with your usual warehouse access to see the rows."
    )


def _message(
    subject: str,
    body: str,
    sender: str,
    recipients: Sequence[Contact],
    run_id: str,
    now: datetime,
    headers: Mapping[str, str],
) -> EmailMessage:
    if not recipients:
        raise ValueError("an alert needs at least one recipient")
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = formataddr(("districtwide", sender))
    msg["To"] = ", ".join(formataddr((c.name, c.email)) for c in recipients)
    msg["Date"] = format_datetime(now if now.tzinfo else now.astimezone())
    msg["Message-ID"] = make_msgid(domain="districtwide.local")
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Districtwide-Run"] = run_id
    for name, value in headers.items():
        msg[name] = value
    msg.set_content(body)
    return msg


def _short(run_id: str) -> str:
    return run_id[:8]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip()


def _now(now: datetime | None) -> datetime:
    """`now` as an aware datetime (a naive one is taken as local time); default: now."""
    if now is None:
        return datetime.now().astimezone()
    return now if now.tzinfo else now.astimezone()


# ─── dedupe state ────────────────────────────────────────────────────────────────────────────


@dataclass
class AlertState:
    """What was said when: per domain the current failure streak, per run-failure kind the
    last email. Kept in `<state_dir>/alert_state.json`; a missing or corrupt file starts fresh."""

    path: Path
    domains: dict[str, dict[str, object]] = field(default_factory=dict)
    run_failures: dict[str, dict[str, object]] = field(default_factory=dict)

    @classmethod
    def load(cls, state_dir: Path) -> AlertState:
        path = Path(state_dir) / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(path, dict(data.get("domains", {})), dict(data.get("run_failures", {})))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError, AttributeError) as exc:
            log.warning("alert state %s unreadable (%s): starting fresh", path, exc)
            return cls(path)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"version": 1, "domains": self.domains, "run_failures": self.run_failures}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)

    def domain_decision(self, domain: str, key: list[str], now: datetime) -> Decision:
        """Whether to email `domain`'s failure set `key` now, and since when it has failed."""
        entry = self.domains.get(domain)
        if not entry or entry.get("key") != key:
            return Decision(send=True, failing_since=None)
        since = _parse_time(entry.get("first_seen"))
        last = _parse_time(entry.get("last_sent"))
        if last is not None and _same_day(last, now):
            return Decision(send=False, failing_since=since, last_sent=last)
        return Decision(send=True, failing_since=since, last_sent=last)

    def record_domain(self, domain: str, key: list[str], run_id: str, now: datetime) -> None:
        entry = self.domains.get(domain)
        first_seen = entry["first_seen"] if entry and entry.get("key") == key else now.isoformat()
        self.domains[domain] = {
            "key": key,
            "first_seen": first_seen,
            "last_sent": now.isoformat(),
            "last_run": run_id,
        }

    def note_streak(self, domain: str, key: list[str], now: datetime) -> None:
        """Start a streak for `key` without marking it said (an email that failed to go)."""
        entry = self.domains.get(domain)
        if not entry or entry.get("key") != key:
            self.domains[domain] = {"key": key, "first_seen": now.isoformat()}

    def clear_domain(self, domain: str) -> None:
        self.domains.pop(domain, None)

    def run_failure_decision(self, key: str, now: datetime) -> Decision:
        last = _parse_time(self.run_failures.get(key, {}).get("last_sent"))
        return Decision(send=last is None or not _same_day(last, now), last_sent=last)

    def record_run_failure(self, key: str, run_id: str, now: datetime) -> None:
        self.run_failures[key] = {"last_sent": now.isoformat(), "last_run": run_id}

    def clear_run_failures(self) -> None:
        self.run_failures.clear()


@dataclass(frozen=True)
class Decision:
    send: bool
    failing_since: datetime | None = None
    last_sent: datetime | None = None


def _parse_time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _same_day(earlier: datetime, now: datetime) -> bool:
    if earlier.tzinfo is not None and now.tzinfo is not None:
        earlier = earlier.astimezone(now.tzinfo)
    return earlier.date() == now.date()


def failure_key(failures: Iterable[CheckFailure]) -> list[str]:
    """The dedupe key of one domain's failures: its sorted, distinct check names."""
    return sorted({f.check_name for f in failures})


# ─── transport ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP server; `password` never appears in repr or logs."""

    host: str
    port: int
    tls: TlsMode = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = DEFAULT_FROM
    timeout: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpSettings | None:
        """The settings of the DISTRICTWIDE_SMTP_* variables; None when no host is set."""
        env = os.environ if env is None else env
        host = (env.get(ENV_HOST) or "").strip()
        if not host:
            return None
        tls = (env.get(ENV_TLS) or "starttls").strip().lower()
        if tls not in DEFAULT_PORTS:
            raise AlertConfigError(f"{ENV_TLS} must be one of {sorted(DEFAULT_PORTS)}, got {tls!r}")
        return cls(
            host=host,
            port=_port(env.get(ENV_PORT), tls),
            tls=tls,  # type: ignore[arg-type]
            user=(env.get(ENV_USER) or "").strip() or None,
            password=env.get(ENV_PASSWORD) or None,
            sender=(env.get(ENV_FROM) or "").strip() or DEFAULT_FROM,
        )


def _port(value: str | None, tls: str) -> int:
    if not value or not value.strip():
        return DEFAULT_PORTS[tls]
    try:
        port = int(value)
    except ValueError:
        raise AlertConfigError(f"{ENV_PORT} must be a port number, got {value!r}") from None
    if not 0 < port < 65536:
        raise AlertConfigError(f"{ENV_PORT} must be between 1 and 65535, got {port}")
    return port


class Transport(Protocol):
    """Delivers one message; returns the file written, or None when it went by SMTP."""

    sender: str

    def deliver(self, message: EmailMessage) -> Path | None: ...


class SmtpTransport:
    """Sends through an SMTP server (plain, STARTTLS or implicit TLS, optional login)."""

    def __init__(self, settings: SmtpSettings, ssl_context: ssl.SSLContext | None = None):
        self.settings = settings
        self.sender = settings.sender
        self._ssl_context = ssl_context

    def __repr__(self) -> str:
        s = self.settings
        return f"SmtpTransport({s.host}:{s.port}, tls={s.tls}, user={s.user!r})"

    def deliver(self, message: EmailMessage) -> Path | None:
        s = self.settings
        if s.user and s.tls == "none" and not _is_loopback(s.host):
            raise AlertConfigError(
                f"refusing to send the SMTP password unencrypted to {s.host}: "
                f"set {ENV_TLS}=starttls or ssl"
            )
        context = self._ssl_context or ssl.create_default_context()
        if s.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout, context=context
            )
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        with client:
            if s.tls == "starttls":
                client.starttls(context=context)
            if s.user:
                client.login(s.user, s.password or "")
            refused = client.send_message(message)
        if refused:
            log.warning("SMTP server refused %d of the recipients", len(refused))
        return None


class OutboxTransport:
    """Writes each message as a .eml file into a folder (no SMTP server configured)."""

    def __init__(self, folder: Path, sender: str = DEFAULT_FROM):
        self.folder = Path(folder)
        self.sender = sender

    def __repr__(self) -> str:
        return f"OutboxTransport({self.folder})"

    def deliver(self, message: EmailMessage) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = _outbox_stem(message)
        for n in range(1, 1000):
            path = self.folder / (f"{stem}.eml" if n == 1 else f"{stem}-{n}.eml")
            try:
                with path.open("xb") as handle:
                    handle.write(bytes(message))
                return path
            except FileExistsError:
                continue
        raise FileExistsError(f"too many outbox files named {stem}*.eml in {self.folder}")


def _outbox_stem(message: EmailMessage) -> str:
    try:
        stamp = parsedate_to_datetime(str(message["Date"])).strftime("%Y%m%dT%H%M%S")
    except (TypeError, ValueError):
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    run = _short(str(message.get("X-Districtwide-Run", "run")))
    label = str(message.get("X-Districtwide-Domain") or message.get("X-Districtwide-Kind", "alert"))
    return re.sub(r"[^\w.-]+", "_", f"{stamp}-{run}-{label}")


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")


def outbox_dir(state_dir: Path) -> Path:
    return Path(state_dir) / OUTBOX_DIR


def transport_from_env(state_dir: Path, env: Mapping[str, str] | None = None) -> Transport:
    """SMTP when DISTRICTWIDE_SMTP_HOST is set, else the outbox folder under `state_dir`."""
    settings = SmtpSettings.from_env(env)
    if settings is None:
        env = os.environ if env is None else env
        sender = (env.get(ENV_FROM) or "").strip() or DEFAULT_FROM
        folder = outbox_dir(state_dir)
        log.warning("%s is not set: alerts are written to %s, not emailed", ENV_HOST, folder)
        return OutboxTransport(folder, sender)
    return SmtpTransport(settings)


# ─── sending ─────────────────────────────────────────────────────────────────────────────────

Status = Literal["sent", "outbox", "suppressed", "failed", "withheld"]


@dataclass(frozen=True)
class Delivery:
    """What happened to one alert: sent by SMTP, written to the outbox, suppressed as a repeat
    said earlier today, failed (saved to the outbox; retried next run) or withheld (FERPA)."""

    kind: Literal["domain", "run_failure"]
    status: Status
    subject: str
    recipients: tuple[str, ...]
    domain: str | None = None
    checks: tuple[str, ...] = ()
    path: Path | None = None
    detail: str = ""


@dataclass
class AlertReport:
    """Every alert of one run and what became of it."""

    run_id: str
    deliveries: list[Delivery] = field(default_factory=list)

    def _with(self, status: Status) -> list[Delivery]:
        return [d for d in self.deliveries if d.status == status]

    @property
    def sent(self) -> list[Delivery]:
        return self._with("sent")

    @property
    def outbox(self) -> list[Delivery]:
        return self._with("outbox")

    @property
    def suppressed(self) -> list[Delivery]:
        return self._with("suppressed")

    @property
    def failed(self) -> list[Delivery]:
        return self._with("failed")

    @property
    def withheld(self) -> list[Delivery]:
        return self._with("withheld")

    @property
    def outbox_files(self) -> list[Path]:
        return [d.path for d in self.deliveries if d.path is not None]

    def summary(self) -> str:
        """One line for a log or Dagster metadata, e.g. 'sent 2, outbox 0, suppressed 1'."""
        counts = {s: len(self._with(s)) for s in ("sent", "outbox", "suppressed", "failed")}
        counts["withheld"] = len(self.withheld)
        return ", ".join(f"{k} {v}" for k, v in counts.items())


def send_alerts(
    failures: Iterable[CheckFailure],
    quarantine_counts: Iterable[tuple[str, str, int]],
    config: DistrictConfig,
    run_id: str,
    *,
    state_dir: Path,
    now: datetime | None = None,
    data_docs_path: str | Path | None = None,
    quarantine_tables: Mapping[str, Sequence[str]] | None = None,
    transport: Transport | None = None,
    env: Mapping[str, str] | None = None,
    domains_checked: Iterable[str] | None = None,
    forbidden: Iterable[str] = (),
) -> AlertReport:
    """Email each domain with failed checks in run `run_id` once, to that domain's stewards.

    A run that reached this point did not crash, so pending run-failure reminders end. Each
    domain in `domains_checked` (default: every configured domain) without failures ends its
    streak. A domain not in the config file goes to district IT. `transport` defaults to
    `transport_from_env(state_dir, env)`.
    """
    now = _now(now)
    failures = list(failures)
    quarantine = [QuarantineCount(*q) for q in quarantine_counts]
    transport = transport or transport_from_env(state_dir, env)
    state = AlertState.load(Path(state_dir))
    report = AlertReport(run_id=run_id)
    grouped = group_by_domain(failures)
    forbidden = list(forbidden)
    checked = set(config.domains if domains_checked is None else domains_checked)
    for domain in sorted(checked - set(grouped)):
        state.clear_domain(domain)
    state.clear_run_failures()
    for domain, items in grouped.items():
        report.deliveries.append(
            _alert_domain(
                domain,
                items,
                quarantine,
                config,
                run_id,
                state,
                transport,
                now,
                data_docs_path=data_docs_path,
                tables=(quarantine_tables or {}).get(domain),
                forbidden=forbidden,
            )
        )
    state.save()
    log.info("alerts for run %s: %s", run_id, report.summary())
    return report


def group_by_domain(failures: Iterable[CheckFailure]) -> dict[str, list[CheckFailure]]:
    """Failures by domain, domains in name order, each domain's failures blocking first."""
    grouped: dict[str, list[CheckFailure]] = {}
    for failure in failures:
        grouped.setdefault(failure.domain, []).append(failure)
    return {d: sorted(grouped[d], key=_failure_order) for d in sorted(grouped)}


def _alert_domain(
    domain: str,
    failures: list[CheckFailure],
    quarantine: list[QuarantineCount],
    config: DistrictConfig,
    run_id: str,
    state: AlertState,
    transport: Transport,
    now: datetime,
    *,
    data_docs_path: str | Path | None,
    tables: Sequence[str] | None,
    forbidden: list[str],
) -> Delivery:
    key = failure_key(failures)
    unconfigured = domain not in config.domains
    recipients = config.district_it if unconfigured else config.domains[domain].stewards
    if unconfigured:
        log.warning("domain %r is not in %s: its alert goes to district IT", domain, config.path)
    base = {
        "kind": "domain",
        "domain": domain,
        "checks": tuple(key),
        "recipients": tuple(c.email for c in recipients),
    }
    decision = state.domain_decision(domain, key, now)
    if not decision.send:
        log.info(
            "%s: same %d failed check(s) already reported today; not repeated", domain, len(key)
        )
        return Delivery(status="suppressed", subject="", detail=_said_at(decision), **base)
    try:
        message = compose_domain_alert(
            domain,
            failures,
            quarantine,
            run_id=run_id,
            recipients=recipients,
            sender=transport.sender,
            data_docs_path=data_docs_path,
            quarantine_tables=tables,
            district_name=config.district_name,
            now=now,
            failing_since=decision.failing_since,
            unconfigured_domain=unconfigured,
            forbidden=forbidden,
        )
    except StudentDataError as exc:
        log.error("%s: alert withheld, %s", domain, exc)
        return Delivery(status="withheld", subject="", detail=str(exc), **base)
    delivery = _deliver(message, transport, base, domain, outbox_dir(state.path.parent))
    if delivery.status in ("sent", "outbox"):
        state.record_domain(domain, key, run_id, now)
    else:
        state.note_streak(domain, key, now)
    return delivery


def send_run_failure(
    error: BaseException | str,
    config: DistrictConfig,
    run_id: str,
    *,
    state_dir: Path,
    now: datetime | None = None,
    job_name: str | None = None,
    step: str | None = None,
    run_url: str | None = None,
    error_type: str | None = None,
    transport: Transport | None = None,
    env: Mapping[str, str] | None = None,
    forbidden: Iterable[str] = (),
) -> AlertReport:
    """Email district IT that run `run_id` failed. The same failure (job, step, error type) on
    consecutive failed runs is said once a day; a run that completes ends the streak.

    `error` is the exception, or its message as text (as a Dagster run-failure sensor has it,
    with the class name in `error_type`).
    """
    now = _now(now)
    transport = transport or transport_from_env(state_dir, env)
    state = AlertState.load(Path(state_dir))
    report = AlertReport(run_id=run_id)
    kind = error_type or _error_kind(error)
    key = f"{job_name or '-'}|{step or '-'}|{kind}"
    base = {"kind": "run_failure", "recipients": tuple(c.email for c in config.district_it)}
    decision = state.run_failure_decision(key, now)
    if not decision.send:
        log.info("run failure %s already reported today; not repeated", kind)
        report.deliveries.append(
            Delivery(status="suppressed", subject="", detail=_said_at(decision), **base)
        )
        return report
    message = compose_run_failure(
        error,
        run_id=run_id,
        recipients=config.district_it,
        sender=transport.sender,
        job_name=job_name,
        step=step,
        run_url=run_url,
        error_type=error_type,
        district_name=config.district_name,
        now=now,
        forbidden=forbidden,
    )
    delivery = _deliver(message, transport, base, "run failure", outbox_dir(state_dir))
    if delivery.status in ("sent", "outbox"):
        state.record_run_failure(key, run_id, now)
        state.save()
    report.deliveries.append(delivery)
    return report


def _deliver(
    message: EmailMessage, transport: Transport, base: dict, label: str, fallback: Path
) -> Delivery:
    """Hand `message` to `transport`; if that fails, save it to the `fallback` folder."""
    subject = str(message["Subject"])
    try:
        path = transport.deliver(message)
    except (smtplib.SMTPException, OSError, AlertConfigError) as exc:
        saved = _save_undelivered(message, fallback)
        log.error("%s: alert not sent (%s); saved to %s", label, _describe(exc), saved)
        return Delivery(status="failed", subject=subject, path=saved, detail=_describe(exc), **base)
    if path is None:
        log.info("%s: alert sent to %d recipient(s)", label, len(base["recipients"]))
        return Delivery(status="sent", subject=subject, **base)
    log.info("%s: alert written to %s (no SMTP server configured)", label, path)
    return Delivery(status="outbox", subject=subject, path=path, **base)


def _save_undelivered(message: EmailMessage, folder: Path) -> Path | None:
    try:
        return OutboxTransport(folder).deliver(message)
    except OSError as exc:
        log.error("could not save the undelivered alert to %s (%s)", folder, _describe(exc))
        return None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {_truncate(str(exc), 200)}"


def _said_at(decision: Decision) -> str:
    when = decision.last_sent
    return f"already said at {when.isoformat()}" if when else "already said today"
