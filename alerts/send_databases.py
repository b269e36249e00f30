"""Telling district IT about a database source: a server that did not answer, a feed that could
not be loaded, columns added, dropped or renamed. District IT, not a steward: the fix is a
server, a grant or a view, and the data in it is not wrong.

The text comes from `connectors.databases` (it names the server by host and database, never a
user or password) and passes the FERPA scrub like every alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from alerts.compose import SUBJECT_PREFIX, aware_now, build_message, short_id, stamp
from alerts.scrub import assert_no_student_data, scrub_error_message
from alerts.send import AlertReport, deliver
from alerts.transport import Transport, outbox_dir, transport_from_env
from settings.district import DistrictConfig


def send_database_alert(
    source: str,
    *,
    down: str | None = None,
    failed: Sequence[str] = (),
    drift: Sequence[str] = (),
    config: DistrictConfig,
    run_id: str,
    state_dir: Path,
    now: datetime | None = None,
    transport: Transport | None = None,
    forbidden: Iterable[str] = (),
) -> AlertReport:
    """One email to district IT about the `source` database's pull in run `run_id`."""
    now = aware_now(now)
    forbidden = list(forbidden)
    transport = transport or transport_from_env(state_dir)
    report = AlertReport(run_id=run_id)
    if down:
        what = "could not be read"
        lines = [
            f"The {source} database could not be read at {stamp(now)}:",
            f"  {scrub_error_message(down, forbidden)}",
            "",
            f"What it means: the {source} data stays as it was at its last successful pull; "
            "the other sources were loaded and published as usual. The next load pulls "
            "everything changed since then, so nothing is lost once the server answers again.",
            "",
            "What to do: check that the server is up and reachable from the districtwide host, "
            'and that the read-only user can still log in (README, "Pull from a database").',
        ]
    else:
        what = "feeds not loaded" if failed else "columns changed"
        lines = [f"The {source} database was read at {stamp(now)}."]
        if failed:
            lines += ["", "Not loaded (the last good pull stays in effect for these):"]
            lines += [f"  - {scrub_error_message(f, forbidden)}" for f in failed]
        if drift:
            lines += ["", "Columns added, dropped or renamed since the last pull:"]
            lines += [f"  - {scrub_error_message(d, forbidden)}" for d in drift]
            lines += [
                "",
                "The load went on where the columns districtwide reads are there. If a column "
                "was renamed on purpose, tell districtwide where it went (a layout alias in "
                "config/layouts/).",
            ]
    subject = f"{SUBJECT_PREFIX} {source} database: {what} — run {short_id(run_id)}"
    body = "\n".join(lines) + "\n"
    assert_no_student_data(subject + "\n" + body, forbidden)
    message = build_message(
        subject,
        body,
        transport.sender,
        config.district_it,
        run_id,
        now,
        {"X-Districtwide-Kind": "database-source"},
    )
    base = {
        "kind": "database",
        "domain": source,
        "recipients": tuple(c.email for c in config.district_it),
    }
    report.deliveries.append(
        deliver(message, transport, base, f"{source} database", outbox_dir(state_dir))
    )
    return report
