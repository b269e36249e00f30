"""Steward alerts: composing, one email per domain, once-a-day dedupe, outbox and transport.

Their scrubbing of student data is in test_alert_scrub.py; the district config file they read,
in test_district_config.py.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

import alerts
import settings as stewards
from alerts import (
    AlertConfigError,
    CheckFailure,
    SmtpSettings,
    SmtpTransport,
    compose_domain_alert,
    group_by_domain,
    send_alerts,
    send_run_failure,
)
from tests.fixtures.alerts import (
    DUP_ID,
    NIGHT,
    NO_SMTP,
    OUTSIDE,
    QUARANTINE,
    SCORE_RANGE,
    UNMAPPED,
    body_of,
    read_eml,
    to_addresses,
)
from tests.fixtures.network import free_port

EXAMPLE = stewards.EXAMPLE_CONFIG


# ─── composing ───────────────────────────────────────────────────────────────────────────────


def test_subject_counts_failures_and_blocking(config) -> None:
    msg = compose_domain_alert(
        "attendance",
        [OUTSIDE, UNMAPPED],
        QUARANTINE,
        run_id="abc12345-aaaa-bbbb",
        recipients=config.domain("attendance").stewards,
        now=NIGHT,
    )
    assert msg["Subject"] == (
        "[districtwide] attendance: 2 checks failed (1 blocking) — run abc12345"
    )
    single = compose_domain_alert(
        "sis", [DUP_ID], [], run_id="r1", recipients=config.domain("sis").stewards, now=NIGHT
    )
    assert single["Subject"] == "[districtwide] sis: 1 check failed (1 blocking) — run r1"


def test_body_says_what_failed_what_it_means_and_where_to_look(config) -> None:
    msg = compose_domain_alert(
        "attendance",
        [OUTSIDE, UNMAPPED],
        QUARANTINE,
        run_id="abc12345",
        recipients=config.domain("attendance").stewards,
        data_docs_path="/srv/districtwide/data_docs/index.html",
        quarantine_tables=["quarantine.quarantine_attendance"],
        now=NIGHT,
    )
    body = body_of(msg)
    # blocking first, each with its effect, table, meaning, observed value and count
    assert body.index("attendance_codes_mapped") < body.index("exceptions_within_enrollment")
    assert "attendance_codes_mapped (blocking: stopped today's publish)" in body
    assert "exceptions_within_enrollment (warning: published anyway)" in body
    assert "Every local attendance code must map to a standard category." in body
    assert "3 unmapped codes: EXC, UNX, 7T" in body
    assert "Observed:      0.0123" in body
    assert "Rows affected: 42" in body
    assert "TODAY'S MARTS WERE NOT PUBLISHED" in body
    assert "yesterday's data, which stays in place" in body
    # only this domain's quarantine, largest first, with a total
    assert "unmapped_code: 42 rows" in body
    assert "no_enrollment_on_date: 7 rows" in body
    assert "Total: 49 rows" in body
    assert "unparseable_birth_date" not in body
    assert "/srv/districtwide/data_docs/index.html" in body
    assert "quarantine.quarantine_attendance" in body
    assert to_addresses(msg) == {"linda.park@example.org"}
    assert msg["Auto-Submitted"] == "auto-generated"


def test_warnings_only_says_marts_were_published(config) -> None:
    body = body_of(
        compose_domain_alert(
            "assessment",
            [SCORE_RANGE],
            [],
            run_id="r2",
            recipients=config.domain("assessment").stewards,
            now=NIGHT,
        )
    )
    assert "today's marts WERE published" in body
    assert "NOT PUBLISHED" not in body
    assert "No assessment rows were quarantined in this run." in body
    assert "quarantine.quarantine_assessment" in body  # default table names
    assert "Data Docs (every check, with details): not configured" in body


def test_compose_refuses_a_domain_without_failures(config) -> None:
    with pytest.raises(ValueError, match="no failures"):
        compose_domain_alert(
            "sis", [UNMAPPED], [], run_id="r", recipients=config.district_it, now=NIGHT
        )


def test_check_failure_rejects_unknown_severity() -> None:
    with pytest.raises(ValueError, match="severity"):
        CheckFailure("sis", "x", "sis__users", "fatal", None, None, "m")  # type: ignore[arg-type]


# ─── grouping and sending ────────────────────────────────────────────────────────────────────


def test_group_by_domain_orders_domains_and_blocking_first() -> None:
    grouped = group_by_domain([OUTSIDE, SCORE_RANGE, DUP_ID, UNMAPPED])
    assert list(grouped) == ["assessment", "attendance", "sis"]
    assert grouped["attendance"] == [UNMAPPED, OUTSIDE]


def test_exactly_one_email_per_domain_to_its_stewards(config, tmp_path: Path) -> None:
    failures = [OUTSIDE, DUP_ID, UNMAPPED, SCORE_RANGE]
    report = send_alerts(
        failures, QUARANTINE, config, "run-0001", state_dir=tmp_path, now=NIGHT, env=NO_SMTP
    )
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 3 == len(report.outbox)
    by_domain = {str(read_eml(f)["X-Districtwide-Domain"]): read_eml(f) for f in files}
    assert set(by_domain) == {"attendance", "sis", "assessment"}
    for domain, msg in by_domain.items():
        assert to_addresses(msg) == {c.email for c in config.domain(domain).stewards}
    attendance = body_of(by_domain["attendance"])
    assert "attendance_codes_mapped" in attendance and "exceptions_within_enrollment" in attendance
    assert "users_identifier_unique" not in attendance
    assert {d.domain: d.checks for d in report.deliveries}["attendance"] == (
        "attendance_codes_mapped",
        "exceptions_within_enrollment",
    )


def test_no_failures_sends_nothing(config, tmp_path: Path) -> None:
    report = send_alerts([], QUARANTINE, config, "r", state_dir=tmp_path, now=NIGHT, env=NO_SMTP)
    assert report.deliveries == []
    assert not (tmp_path / "outbox").exists()


def test_unconfigured_domain_goes_to_district_it(config, tmp_path: Path) -> None:
    behavior = CheckFailure("behavior", "incident_codes_mapped", "b", "warning", 1, 1, "m")
    report = send_alerts([behavior], [], config, "r", state_dir=tmp_path, now=NIGHT, env=NO_SMTP)
    (delivery,) = report.deliveries
    assert set(delivery.recipients) == {c.email for c in config.district_it}
    assert "has no stewards in the district config file" in body_of(read_eml(delivery.path))


# ─── dedupe ──────────────────────────────────────────────────────────────────────────────────


def run(config, state_dir: Path, failures, when: datetime, run_id: str, **kw):
    return send_alerts(
        failures, QUARANTINE, config, run_id, state_dir=state_dir, now=when, env=NO_SMTP, **kw
    )


def test_same_failures_on_consecutive_runs_are_said_once_a_day(config, tmp_path: Path) -> None:
    first = run(config, tmp_path, [UNMAPPED, DUP_ID], NIGHT, "run-1")
    assert {d.domain for d in first.outbox} == {"attendance", "sis"}

    # an hour later, same failures (check order irrelevant): nothing new is sent
    again = run(config, tmp_path, [DUP_ID, UNMAPPED], NIGHT + timedelta(hours=1), "run-2")
    assert [d.status for d in again.deliveries] == ["suppressed", "suppressed"]
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2

    # attendance's set changes (a new check fails): attendance is said, sis still is not
    changed = run(
        config, tmp_path, [UNMAPPED, OUTSIDE, DUP_ID], NIGHT + timedelta(hours=2), "run-3"
    )
    assert {d.domain: d.status for d in changed.deliveries} == {
        "attendance": "outbox",
        "sis": "suppressed",
    }

    # next night: the same sets are said again, as a reminder with the streak's start
    next_day = run(
        config, tmp_path, [UNMAPPED, OUTSIDE, DUP_ID], NIGHT + timedelta(days=1), "run-4"
    )
    assert {d.domain: d.status for d in next_day.deliveries} == {
        "attendance": "outbox",
        "sis": "outbox",
    }
    sis_body = body_of(read_eml(next(d.path for d in next_day.deliveries if d.domain == "sis")))
    assert "failing on every run since 2026-03-10 02:15" in sis_body
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 5


def test_a_passing_run_ends_the_streak(config, tmp_path: Path) -> None:
    run(config, tmp_path, [DUP_ID], NIGHT, "run-1")
    run(config, tmp_path, [], NIGHT + timedelta(hours=1), "run-2")
    back = run(config, tmp_path, [DUP_ID], NIGHT + timedelta(hours=2), "run-3")
    assert [d.status for d in back.deliveries] == ["outbox"]
    assert "Reminder" not in body_of(read_eml(back.deliveries[0].path))


def test_domains_not_checked_keep_their_streak(config, tmp_path: Path) -> None:
    run(config, tmp_path, [DUP_ID], NIGHT, "run-1")
    run(config, tmp_path, [], NIGHT + timedelta(hours=1), "run-2", domains_checked=["attendance"])
    later = run(config, tmp_path, [DUP_ID], NIGHT + timedelta(hours=2), "run-3")
    assert [d.status for d in later.deliveries] == ["suppressed"]


def test_corrupt_state_file_starts_fresh(config, tmp_path: Path) -> None:
    (tmp_path / "alert_state.json").write_text("{not json", encoding="utf-8")
    report = run(config, tmp_path, [DUP_ID], NIGHT, "run-1")
    assert [d.status for d in report.deliveries] == ["outbox"]


def test_run_failure_goes_to_district_it_once_a_day(config, tmp_path: Path) -> None:
    boom = RuntimeError("dbt build exited with code 2")
    first = send_run_failure(
        boom, config, "run-9", state_dir=tmp_path, now=NIGHT, env=NO_SMTP, step="dbt_build"
    )
    (delivery,) = first.outbox
    msg = read_eml(delivery.path)
    assert to_addresses(msg) == {c.email for c in config.district_it}
    assert msg["Subject"] == "[districtwide] run failed: the consolidated load — run run-9"
    assert "RuntimeError: dbt build exited with code 2" in body_of(msg)
    assert "Step:  dbt_build" in body_of(msg)

    later = NIGHT + timedelta(hours=1)
    again = send_run_failure(
        boom, config, "run-10", state_dir=tmp_path, now=later, env=NO_SMTP, step="dbt_build"
    )
    assert [d.status for d in again.deliveries] == ["suppressed"]

    # a run that completes ends the streak: the next crash is said again
    send_alerts([], [], config, "run-11", state_dir=tmp_path, now=later, env=NO_SMTP)
    third = send_run_failure(
        boom, config, "run-12", state_dir=tmp_path, now=later, env=NO_SMTP, step="dbt_build"
    )
    assert [d.status for d in third.deliveries] == ["outbox"]


# ─── transport ───────────────────────────────────────────────────────────────────────────────


def test_outbox_when_no_host_is_logged_and_reported(
    config, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="alerts")
    report = run(config, tmp_path, [UNMAPPED], NIGHT, "abc12345-ffff")
    (delivery,) = report.deliveries
    assert delivery.status == "outbox"
    assert delivery.path.parent == tmp_path / "outbox"
    assert delivery.path.name == "20260310T021500-abc12345-attendance.eml"
    assert report.outbox_files == [delivery.path]
    assert "DISTRICTWIDE_SMTP_HOST is not set" in caplog.text
    assert str(delivery.path) in caplog.text
    assert "Every local attendance code" not in caplog.text  # bodies are never logged
    assert read_eml(delivery.path)["Subject"] == delivery.subject


def test_outbox_never_overwrites(config, tmp_path: Path) -> None:
    transport = alerts.OutboxTransport(tmp_path)
    msg = compose_domain_alert(
        "sis", [DUP_ID], [], run_id="r", recipients=config.domain("sis").stewards, now=NIGHT
    )
    first, second = transport.deliver(msg), transport.deliver(msg)
    assert first != second and first.exists() and second.exists()


def test_unreachable_server_saves_to_outbox_and_retries_next_run(
    config, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    env = {
        "DISTRICTWIDE_SMTP_HOST": "127.0.0.1",
        "DISTRICTWIDE_SMTP_PORT": str(free_port()),  # nothing listens there
        "DISTRICTWIDE_SMTP_TLS": "none",
        "DISTRICTWIDE_SMTP_USER": "alerts",
        "DISTRICTWIDE_SMTP_PASSWORD": "s3cret-Pa55word",
    }
    first = send_alerts([DUP_ID], [], config, "r1", state_dir=tmp_path, now=NIGHT, env=env)
    (delivery,) = first.failed
    assert delivery.path is not None and delivery.path.parent == tmp_path / "outbox"
    assert "ConnectionRefusedError" in delivery.detail
    retry = send_alerts([DUP_ID], [], config, "r2", state_dir=tmp_path, now=NIGHT, env=env)
    assert [d.status for d in retry.deliveries] == ["failed"]  # tried again, not suppressed
    assert "s3cret-Pa55word" not in caplog.text


def test_password_is_never_sent_in_clear_to_a_remote_host(tmp_path: Path) -> None:
    settings = SmtpSettings(host="mail.example.org", port=25, tls="none", user="u", password="p")
    msg = EmailMessage()
    msg["To"] = "x@example.org"
    with pytest.raises(AlertConfigError, match="unencrypted"):
        SmtpTransport(settings).deliver(msg)
    assert "p'" not in repr(settings) and "password" not in repr(settings)


def test_smtp_settings_from_env() -> None:
    assert SmtpSettings.from_env({}) is None
    s = SmtpSettings.from_env(
        {
            "DISTRICTWIDE_SMTP_HOST": "smtp.example.org",
            "DISTRICTWIDE_SMTP_TLS": "SSL",
            "DISTRICTWIDE_SMTP_USER": "alerts",
            "DISTRICTWIDE_SMTP_PASSWORD": "hunter2",
            "DISTRICTWIDE_SMTP_FROM": "data@example.org",
        }
    )
    assert (s.host, s.port, s.tls, s.user, s.sender) == (
        "smtp.example.org",
        465,
        "ssl",
        "alerts",
        "data@example.org",
    )
    assert "hunter2" not in repr(s)
    default = SmtpSettings.from_env({"DISTRICTWIDE_SMTP_HOST": "h"})
    assert (default.port, default.tls) == (587, "starttls")
    with pytest.raises(AlertConfigError, match="DISTRICTWIDE_SMTP_TLS"):
        SmtpSettings.from_env({"DISTRICTWIDE_SMTP_HOST": "h", "DISTRICTWIDE_SMTP_TLS": "tls1.3"})
    with pytest.raises(AlertConfigError, match="DISTRICTWIDE_SMTP_PORT"):
        SmtpSettings.from_env({"DISTRICTWIDE_SMTP_HOST": "h", "DISTRICTWIDE_SMTP_PORT": "smtp"})
