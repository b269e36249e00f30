"""Sending the emails about delivered files: each file set aside or held back to its source's
stewards, a file that cannot be read at all (empty, binary, an unknown delimiter or encoding) to
its source's stewards and district IT, the files no layout recognized to district IT, each file
once per bytes (`AlertState.files`).

A delivery that fails is not marked as said, so the next run tries again; problems no longer
current (the file corrected, or removed) are forgotten, so the same bad bytes delivered again
later are told again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from alerts.compose import aware_now
from alerts.compose_files import compose_set_aside, compose_unrecognized, compose_warnings
from alerts.scrub import StudentDataError
from alerts.send import AlertReport, Delivery, deliver, save_state
from alerts.state import AlertState
from alerts.transport import Transport, outbox_dir, transport_from_env
from connectors.problems import FileProblem
from settings.district import DistrictConfig

log = logging.getLogger(__name__)

# What landing says of a file it read a header from but matched to no layout; any other reason
# it gives for an unrecognized file (empty, binary, an unknown delimiter, an encoding it cannot
# read) means the file itself cannot be read.
NO_LAYOUT = "no layout matches its header"


def unreadable(problem: FileProblem) -> bool:
    """A delivered file that cannot be read at all (not one whose header no layout knows): its
    source's stewards can have it re-exported, so it goes to them (and district IT), not to
    district IT alone."""
    return (
        problem.kind == "unrecognized"
        and not problem.refused  # a symbolic link refused unread is district IT's
        and NO_LAYOUT not in problem.error
    )


def send_file_alerts(
    problems: Sequence[FileProblem],
    config: DistrictConfig,
    run_id: str,
    *,
    state_dir: Path,
    now: datetime | None = None,
    transport: Transport | None = None,
    env: Mapping[str, str] | None = None,
    forbidden: Iterable[str] = (),
) -> AlertReport:
    """Email what is new in `problems` (every file now set aside or unrecognized)."""
    now = aware_now(now)
    forbidden = list(forbidden)
    state = AlertState.load(Path(state_dir))
    state.keep_files(p.key for p in problems)
    report = AlertReport(run_id=run_id)
    new = [p for p in problems if not state.file_told(p.key)]
    if new:
        transport = transport or transport_from_env(state_dir, env)
    fallback = outbox_dir(state.path.parent)
    # One email per file, but a source's files that loaded with a warning go in one together.
    groups: list[list[FileProblem]] = []
    warned: dict[str | None, list[FileProblem]] = {}
    for problem in (p for p in new if p.kind != "unrecognized" or unreadable(p)):
        if problem.kind == "warning":
            if problem.source not in warned:
                groups.append(warned.setdefault(problem.source, []))
            warned[problem.source].append(problem)
        else:
            groups.append([problem])
    for group in groups:
        first = group[0]
        configured = first.source in config.domains
        recipients = config.domains[first.source].stewards if configured else config.district_it
        if unreadable(first) and configured:
            # The steward can have it re-exported; district IT hears of it too.
            recipients = [*recipients, *(c for c in config.district_it if c not in recipients)]
        base = {
            "kind": "file",
            "domain": first.source,
            "checks": tuple(p.source_path for p in group),
            "recipients": tuple(c.email for c in recipients),
        }
        compose = compose_warnings if len(group) > 1 else _compose_one
        try:
            message = compose(
                group,
                run_id=run_id,
                recipients=recipients,
                sender=transport.sender,
                district_name=config.district_name,
                now=now,
                unconfigured_source=not configured,
                forbidden=forbidden,
            )
        except StudentDataError as exc:
            log.error("%s: alert withheld, %s", first.source_path, exc)
            report.deliveries.append(Delivery(status="withheld", subject="", **base))
            continue
        label = first.source_path if len(group) == 1 else f"{first.source} warnings"
        delivery = deliver(message, transport, base, label, fallback)
        report.deliveries.append(delivery)
        if delivery.status in ("sent", "outbox"):
            for problem in group:
                state.record_file(problem.key, run_id, now)
    unknown = [p for p in new if p.kind == "unrecognized" and not unreadable(p)]
    if unknown:
        base = {
            "kind": "file",
            "domain": None,
            "checks": tuple(p.source_path for p in unknown),
            "recipients": tuple(c.email for c in config.district_it),
        }
        try:
            message = compose_unrecognized(
                unknown,
                run_id=run_id,
                recipients=config.district_it,
                sender=transport.sender,
                district_name=config.district_name,
                now=now,
                forbidden=forbidden,
            )
        except StudentDataError as exc:
            log.error("unrecognized files: alert withheld, %s", exc)
            report.deliveries.append(Delivery(status="withheld", subject="", **base))
        else:
            delivery = deliver(message, transport, base, "unrecognized files", fallback)
            report.deliveries.append(delivery)
            if delivery.status in ("sent", "outbox"):
                for problem in unknown:
                    state.record_file(problem.key, run_id, now)
    save_state(state)
    return report


def _compose_one(group: Sequence[FileProblem], **kwargs: object) -> EmailMessage:
    """`compose_set_aside` of a group of one file."""
    return compose_set_aside(group[0], **kwargs)  # type: ignore[arg-type]
