"""Quality gates end to end: a clean district mails no one; injected defects mail each owning
domain's stewards once, over real SMTP, without student data; a blocking failure on one source's
new file holds back that file (its previous delivery stays served) while the rest publishes."""

from __future__ import annotations

import email
import re
import socket
import subprocess
import sys
from email.message import Message
from pathlib import Path

import duckdb
import pytest
from aiosmtpd.controller import Controller
from dagster import DagsterInstance

from alerts.after_run import alert_after_run
from connectors.home import Home
from devtools.demo import run_consolidated_load
from serving.publish import content_checksum
from tests.conftest import REPO

pytestmark = [pytest.mark.integration, pytest.mark.smtp]

STEWARDS = {
    "sis": "sis.steward@example.org",
    "attendance": "attendance.steward@example.org",
    "assessment": "assessment.steward@example.org",
}
IT = "district.it@example.org"


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("DISTRICTWIDE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DISTRICTWIDE_SMTP_PORT", str(port))
    monkeypatch.setenv("DISTRICTWIDE_SMTP_TLS", "none")
    monkeypatch.setenv("DISTRICTWIDE_SMTP_FROM", "districtwide@example.org")
    yield handler
    controller.stop()


def write_config(path: Path) -> None:
    domains = "\n".join(
        f"  {domain}:\n    sources: [{', '.join(sources)}]\n"
        f"    stewards:\n      - {{name: {domain.upper()} steward, email: {STEWARDS[domain]}}}"
        for domain, sources in {
            "sis": ["sis__users", "sis__enrollments", "sis__orgs", "sis__calendar"],
            "attendance": ["attendance__students", "attendance__exceptions"],
            "assessment": ["assessment__state_results", "assessment__map_results"],
        }.items()
    )
    path.write_text(
        "district: {name: Test District}\ndomains:\n"
        f"{domains}\ndistrict_it:\n  - {{name: IT desk, email: {IT}}}\n"
    )


def load(home: Home):
    instance = DagsterInstance.ephemeral()
    result = run_consolidated_load(instance)
    alert_after_run(instance, result.run_id, home)
    return result


def student_data(truth: Path) -> list[str]:
    """Every name pair, birth date (ISO and US) and ID of the district's children."""
    rows = duckdb.sql(
        f"select first_name, last_name, birth_date, state_id, sis_local_id "
        f"from read_parquet('{truth}/students.parquet')"
    ).fetchall()
    values: set[str] = set()
    for first, last, birth, state_id, local_id in rows:
        values |= {f"{first} {last}", f"{last}, {first}", birth.isoformat()}
        values.add(birth.strftime("%m/%d/%Y"))
        values |= {str(v) for v in (state_id, local_id) if v}
    return sorted(values)


def rewrite_lines(path: Path, encoding: str, change) -> None:
    with path.open(encoding=encoding, newline="") as handle:
        lines = handle.read().splitlines(keepends=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        handle.writelines(change(lines))


def backdate_deliveries(home: Home, raw_table: str, days: int) -> None:
    """As if `raw_table`'s file had last arrived `days` ago (its export job stopped)."""
    for audit in home.audit.glob("2*.parquet"):
        con = duckdb.connect()
        table = con.execute(f"select raw_table from read_parquet('{audit}')").fetchone()[0]
        if table == raw_table:
            tmp = audit.with_suffix(".tmp")
            con.execute(
                f"copy (select * replace (loaded_at - interval '{days} days' as loaded_at) "
                f"from read_parquet('{audit}')) to '{tmp}' (format parquet)"
            )
            tmp.replace(audit)
        con.close()


def test_quality_gates_alert_the_right_stewards_and_guard_the_served_marts(
    tmp_path: Path, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "synthetic",
            "--students",
            "800",
            "--seed",
            "11",
            "--out",
            str(tmp_path),
            "--clean",
        ],
        check=True,
        cwd=REPO,
    )
    home = Home(tmp_path).ensure()
    write_config(tmp_path / "district.yaml")
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(tmp_path))
    monkeypatch.delenv("DISTRICTWIDE_CONFIG", raising=False)

    # 1. A clean district: every check passes, nobody is mailed, the marts are published.
    clean = load(home)
    assert clean.success
    assert inbox.messages == []
    served = content_checksum(home.serving)

    # 2. Injected defects, one per domain (and a file missing for the freshness window).
    landing = home.landing
    state_file = next((landing / "assessment").glob("state_assessment_*.csv"))
    full_state = state_file.read_bytes()
    rewrite_lines(  # unmapped attendance codes on four rows
        next((landing / "attendance").glob("attendance_exceptions_*.csv")),
        "cp1252",
        lambda lines: (
            [lines[0]]
            + [
                ",".join(v if i != 3 else "Q" for i, v in enumerate(line.split(",")))
                for line in lines[1:5]
            ]
            + lines[5:]
        ),
    )
    rewrite_lines(state_file, "utf-8", lambda lines: lines[: len(lines) * 2 // 5])  # truncated
    rewrite_lines(landing / "sis" / "users.csv", "utf-8", lambda lines: lines + lines[1:3])
    backdate_deliveries(home, "attendance__students", days=10)

    held = load(home)

    # The blocking failure is the state file's own: that file is held back, the rest publishes.
    assert held.success, "a blocking failure on one source's new file holds back that file only"
    failed_checks = {
        e.event_specific_data.check_name: e.event_specific_data.severity.value
        for e in held.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed
    }
    assert failed_checks["assessment_file_loads"] == "WARN"
    published = content_checksum(home.serving)
    assert published != served, "the other sources' new data is published"
    assert published["fct_assessment_result"] == served["fct_assessment_result"], (
        "the held state file's rows are not"
    )

    kinds = {msg.get("X-Districtwide-Kind") for _, msg in inbox.messages}
    assert kinds == {"check-failures", "file-held-back"}
    [(held_to, _)] = [
        (r, m) for r, m in inbox.messages if m["X-Districtwide-Kind"] != "check-failures"
    ]
    assert held_to == [STEWARDS["assessment"]]
    mails = {
        tuple(rcpts): msg
        for rcpts, msg in inbox.messages
        if msg.get("X-Districtwide-Kind") == "check-failures"
    }
    assert sorted(mails) == sorted((addr,) for addr in STEWARDS.values()), "one email per domain"
    bodies = {
        rcpts[0]: msg.get("Subject") + "\n" + msg.get_payload(decode=True).decode()
        if not msg.is_multipart()
        else msg.get("Subject") + "\n" + msg.get_body(("plain",)).get_content()
        for rcpts, msg in mails.items()
    }
    assert "unmapped_attendance_code" in bodies[STEWARDS["attendance"]]
    assert "file_not_delivered" in bodies[STEWARDS["attendance"]]
    assert "rows_dropped" in bodies[STEWARDS["assessment"]]
    assert "duplicate_records" in bodies[STEWARDS["sis"]]
    everything = "\n".join(msg.as_string() for _, msg in inbox.messages)
    # A value counts as leaked only as a whole token: MIME boundaries, Message-IDs and the run
    # ID are long random tokens that can contain any six digits.
    leaked = [
        value
        for value in student_data(tmp_path / "truth")
        if re.search(rf"(?<![0-9A-Za-z]){re.escape(value)}(?![0-9A-Za-z])", everything)
    ]
    assert leaked == [], f"{len(leaked)} student values in the emails"

    # 3. The vendor re-sends the full state file: the load passes its blocking checks again.
    state_file.write_bytes(full_state)
    fixed = load(home)
    assert fixed.success
    assert content_checksum(home.serving) != served, "the fixed load publishes"


def test_a_crashed_load_emails_district_it_not_the_stewards(
    tmp_path: Path, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = Home(tmp_path).ensure()
    write_config(tmp_path / "district.yaml")
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(tmp_path))
    monkeypatch.delenv("DISTRICTWIDE_CONFIG", raising=False)
    # A bad file no longer crashes a load (it is set aside, its steward told); a full disk does.
    import orchestration.defs.landing.assets as raw_assets

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(raw_assets, "load_landing", disk_full)

    result = load(home)

    assert not result.success
    [(recipients, message)] = inbox.messages
    assert recipients == [IT]
    body = message.get_payload(decode=True).decode()
    assert "Step:  land_raw_tables" in body
