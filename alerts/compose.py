"""Composing the emails: one per domain with failed checks (what failed, whether it blocked
publishing, what was quarantined, where to look) and one to district IT for a crashed run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from alerts.causes import crash_cause
from alerts.inputs import CheckFailure, QuarantineCount, default_quarantine_tables
from alerts.scrub import (
    assert_no_student_data,
    observed_text,
    scrub_error_message,
    scrub_student_data,
    truncate,
)
from settings.district import Contact

SUBJECT_PREFIX = "[districtwide]"
DEFAULT_FROM = "districtwide@localhost"


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
    held_back: bool = False,
    published: bool | None = None,
    stopped_by: Sequence[str] = (),
) -> EmailMessage:
    """The one email for `domain` in run `run_id`: its failed checks and quarantined rows.

    `quarantine` may hold other domains' counts; only `domain`'s are shown. `failing_since`
    (the first run of an unbroken streak of the same failures) marks the daily reminder.
    `held_back`: the blocking failures held back only this domain's new files, and the marts
    were published with its previous data (orchestration/defs/quality/holdback.py).
    `published`: whether this run replaced the served marts (None: not known, inferred from this
    domain's failures, as before); `stopped_by` names what stopped the publication when it was
    not this domain (other domains' blocking checks, a crashed step), so a domain with warnings
    only is never told its data was published when it was not.
    Raises StudentDataError if the composed text still holds a `forbidden` value.
    """
    now = aware_now(now)
    forbidden = list(forbidden)
    mine = sorted((f for f in failures if f.domain == domain), key=failure_order)
    if not mine:
        raise ValueError(f"no failures for domain {domain!r}: nothing to alert")
    rows = [QuarantineCount(*q) for q in quarantine if q[0] == domain]
    tables = tuple(quarantine_tables or default_quarantine_tables(domain))
    subject = _domain_subject(domain, mine, run_id)
    sections = [
        _headline(domain, mine, run_id, now, district_name),
        _publish_meaning(mine, held_back, published, stopped_by),
        _failures_section(mine, forbidden, held_back),
        _quarantine_section(domain, rows, forbidden),
        _where_to_look(run_id, data_docs_path, tables),
        _repeat_note(failing_since, now),
        _footer(domain, unconfigured_domain),
    ]
    body = "\n\n".join(s for s in sections if s) + "\n"
    assert_no_student_data(subject + "\n" + body, forbidden)
    headers = {"X-Districtwide-Domain": domain, "X-Districtwide-Kind": "check-failures"}
    return build_message(subject, body, sender, recipients, run_id, now, headers)


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
    details: Sequence[str] = (),
    published: bool | None = None,
) -> EmailMessage:
    """The email to district IT when run `run_id` itself failed (an exception, not a check).
    `published`: whether the run still published (a source database's pull failed, the rest
    went on), so the email does not say the marts were left as they were when they were not.

    The cause (a lock held, out of memory, a full disk: `alerts.causes`) is named in the subject
    and the body with what to do; `details` are further lines (dbt tests that could not run).
    """
    now = aware_now(now)
    forbidden = list(forbidden)
    kind = scrub_student_data(error_type or error_kind(error), forbidden)
    message = scrub_error_message(str(error), forbidden).removeprefix(f"{kind}: ")
    cause = crash_cause(str(error) + " " + " ".join(details), error_type or error_kind(error))
    job = job_name or "the consolidated load"
    because = f" ({cause.name})" if cause else ""
    subject = f"{SUBJECT_PREFIX} run failed{because}: {job} — run {short_id(run_id)}"
    lines = [
        f"{district_name}: the run {run_id} of {job} failed at {stamp(now)}.",
        "",
        f"Step:  {scrub_student_data(step, forbidden) if step else 'not recorded'}",
        f"Cause: {cause.name}: {cause.explanation}"
        if cause
        else "Cause: not recognized (see the error below and the run's log)",
        f"Error: {kind}: {message}" if message else f"Error: {kind}",
        *(f"       {scrub_error_message(d, forbidden)}" for d in details),
        "",
        (
            "What it means: this step failed, but the rest of the run went on and today's marts "
            "WERE published; what this step brings in (a source database's new rows, say) is "
            "missing from them until it runs again. This is a failure of the run, not of the "
            "data's checks."
        )
        if published
        else (
            "What it means: nothing from this run was published. The marts and dashboards keep "
            "showing the last good load, unchanged. The data stewards were not emailed; this is "
            "a failure of the run, not of the data's checks."
        ),
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
    return build_message(subject, body, sender, recipients, run_id, now, headers)


def error_kind(error: BaseException | str) -> str:
    return type(error).__name__ if isinstance(error, BaseException) else "Error"


def failure_order(failure: CheckFailure) -> tuple[int, str, str]:
    return (0 if failure.blocking else 1, failure.check_name, failure.asset)


def _domain_subject(domain: str, failures: Sequence[CheckFailure], run_id: str) -> str:
    n = len(failures)
    blocking = sum(f.blocking for f in failures)
    what = f"{n} check{'s' if n != 1 else ''} failed"
    return f"{SUBJECT_PREFIX} {domain}: {what} ({blocking} blocking) — run {short_id(run_id)}"


def _headline(
    domain: str, failures: Sequence[CheckFailure], run_id: str, now: datetime, district: str
) -> str:
    n = len(failures)
    blocking = sum(f.blocking for f in failures)
    return (
        f"{district}: {n} data check{'s' if n != 1 else ''} on {domain} failed in run {run_id} "
        f"({stamp(now)}); {blocking} of them {'is' if blocking == 1 else 'are'} blocking."
    )


def _publish_meaning(
    failures: Sequence[CheckFailure],
    held_back: bool = False,
    published: bool | None = None,
    stopped_by: Sequence[str] = (),
) -> str:
    blocking = any(f.blocking for f in failures)
    if published is False and not blocking:
        why = f" ({', '.join(stopped_by)})" if stopped_by else ""
        return (
            "What this means: only warnings failed on this source, but TODAY'S MARTS WERE NOT "
            f"PUBLISHED: something else stopped the load{why}.\n"
            "Dashboards and reports keep showing the previous data, unchanged, until that is "
            "fixed and the load runs again; this source's warnings still deserve a look."
        )
    if held_back and blocking:
        return (
            "What this means: a blocking check failed on this source's new files, so THEY WERE "
            "HELD BACK: today's marts were published with this source's previous data and every "
            "other source's new data. Each held file is named in an email of its own; drop a "
            "corrected file and the next load takes it."
        )
    if published is True and blocking:
        return (
            "What this means: a blocking check failed on this source; today's marts were "
            "published without the data it stopped (see each check below)."
        )
    if blocking:
        return (
            "What this means: a blocking check failed, so TODAY'S MARTS WERE NOT PUBLISHED.\n"
            "Dashboards and reports keep showing yesterday's data, which stays in place "
            "unchanged, until the problem is fixed and the load runs again."
        )
    return (
        "What this means: only warnings failed, so today's marts WERE published.\n"
        "The data loaded, but something looks off and deserves a look before people rely on it."
    )


def _failures_section(
    failures: Sequence[CheckFailure], forbidden: list[str], held_back: bool = False
) -> str:
    lines = ["Failed checks", "-------------"]
    stopped = "held back the new files" if held_back else "stopped today's publish"
    for i, f in enumerate(failures, start=1):
        effect = f"blocking: {stopped}" if f.blocking else "warning: published anyway"
        lines.append(f"{i}. {scrub_student_data(f.check_name, forbidden)} ({effect})")
        lines.append(f"   Table:         {scrub_student_data(f.asset, forbidden)}")
        lines.append(f"   What it means: {truncate(scrub_student_data(f.meaning, forbidden), 500)}")
        lines.append(f"   Observed:      {observed_text(f.observed, forbidden)}")
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
        f"Reminder: these same checks have been failing on every run since {stamp(failing_since)}."
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


def build_message(
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


def short_id(run_id: str) -> str:
    return run_id[:8]


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip()


def aware_now(now: datetime | None) -> datetime:
    """`now` as an aware datetime (a naive one is taken as local time); default: now."""
    if now is None:
        return datetime.now().astimezone()
    return now if now.tzinfo else now.astimezone()
