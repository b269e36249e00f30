"""Sending one run's alerts: each domain with failed checks gets ONE email to its stewards, a
crashed run one to district IT, each said once a day while it repeats (`alerts.state`).

An email that the server refuses is saved to the outbox too, and reported as failed; it is not
marked as said, so the next run tries again. A message that still holds a forbidden student value
after scrubbing is withheld, not sent.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Literal

from alerts.compose import (
    aware_now,
    compose_domain_alert,
    compose_run_failure,
    error_kind,
    failure_order,
)
from alerts.inputs import CheckFailure, QuarantineCount
from alerts.scrub import StudentDataError, truncate
from alerts.state import AlertState, Decision, failure_key, run_failure_key
from alerts.transport import (
    AlertConfigError,
    OutboxTransport,
    Transport,
    outbox_dir,
    transport_from_env,
)
from settings.district import DistrictConfig

log = logging.getLogger(__name__)

Status = Literal["sent", "outbox", "suppressed", "failed", "withheld"]


@dataclass(frozen=True)
class Delivery:
    """What happened to one alert: sent by SMTP, written to the outbox, suppressed as a repeat
    said earlier today, failed (saved to the outbox; retried next run) or withheld (FERPA)."""

    kind: Literal["domain", "run_failure", "file"]
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
    held_back: Iterable[str] = (),
    published: bool | None = None,
    stopped_by: Sequence[str] = (),
    crashed: bool = False,
) -> AlertReport:
    """Email each domain with failed checks in run `run_id` once, to that domain's stewards.

    A run that did not crash (`crashed` False) ends pending run-failure reminders. Each
    domain in `domains_checked` (default: every configured domain) without failures ends its
    streak. A domain not in the config file goes to district IT. `transport` defaults to
    `transport_from_env(state_dir, env)`. `held_back`: domains whose new files a blocking
    failure held back (the marts published with their previous data). `published` and
    `stopped_by`: whether the run replaced the served marts, and what else stopped it when it did
    not (a crashed step; other domains' blocking failures are named here), so each domain's
    email says what actually happened (`compose_domain_alert`).
    """
    now = aware_now(now)
    failures = list(failures)
    quarantine = [QuarantineCount(*q) for q in quarantine_counts]
    transport = transport or transport_from_env(state_dir, env)
    state = AlertState.load(Path(state_dir))
    report = AlertReport(run_id=run_id)
    grouped = group_by_domain(failures)
    forbidden = list(forbidden)
    held_back = set(held_back)
    checked = set(config.domains if domains_checked is None else domains_checked)
    for domain in sorted(checked - set(grouped)):
        state.clear_domain(domain)
    if not crashed:
        state.clear_run_failures()
    # Domains whose blocking failures stopped the publication (not those only held back).
    blockers = [
        d for d, items in grouped.items() if any(i.blocking for i in items) and d not in held_back
    ]
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
                held_back=domain in held_back,
                published=published,
                stopped_by=[
                    *(f"a blocking check failed on {d}" for d in blockers if d != domain),
                    *stopped_by,
                ],
            )
        )
    save_state(state)
    log.info("alerts for run %s: %s", run_id, report.summary())
    return report


def group_by_domain(failures: Iterable[CheckFailure]) -> dict[str, list[CheckFailure]]:
    """Failures by domain, domains in name order, each domain's failures blocking first."""
    grouped: dict[str, list[CheckFailure]] = {}
    for failure in failures:
        grouped.setdefault(failure.domain, []).append(failure)
    return {d: sorted(grouped[d], key=failure_order) for d in sorted(grouped)}


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
    held_back: bool = False,
    published: bool | None = None,
    stopped_by: Sequence[str] = (),
) -> Delivery:
    key = failure_key(failures)
    unconfigured = domain not in config.domains
    recipients = config.district_it if unconfigured else config.domains[domain].stewards
    if unconfigured:
        log.warning("domain %r is not in %s: its alert goes to district IT", domain, config.path)
    base = {
        "kind": "domain",
        "domain": domain,
        "checks": tuple(sorted({f.check_name for f in failures})),
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
            held_back=held_back,
            published=published,
            stopped_by=stopped_by,
        )
    except StudentDataError as exc:
        log.error("%s: alert withheld, %s", domain, exc)
        return Delivery(status="withheld", subject="", detail=str(exc), **base)
    delivery = deliver(message, transport, base, domain, outbox_dir(state.path.parent))
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
    details: Sequence[str] = (),
    published: bool | None = None,
) -> AlertReport:
    """Email district IT that run `run_id` failed (`published`: whether it still published).
    The same failure (job, step, error type and the message's fingerprint, `alerts.state`) on
    consecutive failed runs is said once a day; a different failure is said when it happens; a
    run that completes ends the streak.

    `error` is the exception, or its message as text (as a Dagster run-failure sensor has it,
    with the class name in `error_type`).
    """
    now = aware_now(now)
    transport = transport or transport_from_env(state_dir, env)
    state = AlertState.load(Path(state_dir))
    report = AlertReport(run_id=run_id)
    kind = error_type or error_kind(error)
    key = run_failure_key(job_name, step, kind, " ".join([str(error), *details]))
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
        details=details,
        published=published,
    )
    delivery = deliver(message, transport, base, "run failure", outbox_dir(state_dir))
    if delivery.status in ("sent", "outbox"):
        state.record_run_failure(key, run_id, now)
        save_state(state)
    report.deliveries.append(delivery)
    return report


def save_state(state: AlertState) -> bool:
    """Save what was said; a full disk (or any OS error) is logged, never raised: the email has
    gone, and the next alert must go too. Unsaved, a repeat may be said again: better twice
    than never."""
    try:
        state.save()
        return True
    except OSError as exc:
        log.error("alert state %s not saved (%s): repeats may be sent again", state.path, exc)
        return False


def deliver(
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
    return f"{type(exc).__name__}: {truncate(str(exc), 200)}"


def _said_at(decision: Decision) -> str:
    when = decision.last_sent
    return f"already said at {when.isoformat()}" if when else "already said today"
