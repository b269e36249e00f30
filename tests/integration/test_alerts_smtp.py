"""Steward alerts through a real SMTP server (aiosmtpd on loopback): who gets what, and no
student data on the wire."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from alerts import (
    CheckFailure,
    SmtpSettings,
    SmtpTransport,
    send_alerts,
    send_run_failure,
)
from settings import EXAMPLE_CONFIG, DistrictConfig, load_config
from tests.fixtures.alerts import NIGHT, OUTSIDE
from tests.fixtures.network import free_port

pytestmark = pytest.mark.smtp


# Student data planted next to the failure inputs: none of it may reach an email.
STUDENT_NAME = "Ana Garcia-Lopez"
BIRTH_DATE_ISO = "2012-03-04"
BIRTH_DATE_US = "03/04/2012"
STATE_ID = "9876543210"
LOCAL_ID = "S0012345"
PLANTED = (STUDENT_NAME, BIRTH_DATE_ISO, BIRTH_DATE_US, STATE_ID, LOCAL_ID)

FAILURES = [
    CheckFailure(
        domain="attendance",
        check_name="attendance_codes_mapped",
        asset="stg_attendance__exceptions",
        severity="blocking",
        observed=f"2 unmapped codes (first seen: student {LOCAL_ID} on {BIRTH_DATE_US})",
        unexpected_count=42,
        meaning="Every local attendance code must map to a standard category.",
    ),
    OUTSIDE,
    CheckFailure(
        domain="sis",
        check_name="birth_date_parses",
        asset="stg_sis__demographics",
        severity="blocking",
        observed=f"unparseable: {BIRTH_DATE_ISO} for state ID {STATE_ID}",
        unexpected_count=1,
        meaning=f"Birth dates must parse as dates (reported for {STUDENT_NAME}).",
    ),
]
QUARANTINE = [
    ("attendance", "unmapped_code", 42),
    ("sis", "unparseable_birth_date", 1),
    ("assessment", "no_matching_student", 5),
]


class Collector:
    """An aiosmtpd handler that keeps every message with its envelope and session facts."""

    def __init__(self) -> None:
        self.received: list[dict] = []

    async def handle_DATA(self, server, session: Session, envelope: Envelope) -> str:
        self.received.append(
            {
                "rcpt_tos": sorted(envelope.rcpt_tos),
                "mail_from": envelope.mail_from,
                "data": bytes(envelope.original_content or envelope.content),
                "tls": session.ssl is not None,
                "authenticated": bool(session.authenticated),
            }
        )
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(r["data"], policy=policy.default) for r in self.received]


@pytest.fixture
def config() -> DistrictConfig:
    return load_config(EXAMPLE_CONFIG)


@pytest.fixture
def smtp_server():
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield collector, controller.port
    finally:
        controller.stop()


def plain_env(port: int) -> dict[str, str]:
    return {
        "DISTRICTWIDE_SMTP_HOST": "127.0.0.1",
        "DISTRICTWIDE_SMTP_PORT": str(port),
        "DISTRICTWIDE_SMTP_TLS": "none",
        "DISTRICTWIDE_SMTP_FROM": "districtwide-alerts@example.org",
    }


def stewards_of(config: DistrictConfig, domain: str) -> list[str]:
    return sorted(c.email for c in config.domain(domain).stewards)


def test_two_domains_two_emails_to_their_stewards(config, smtp_server, tmp_path: Path) -> None:
    collector, port = smtp_server
    report = send_alerts(
        FAILURES,
        QUARANTINE,
        config,
        "4f2a9c1e-run",
        state_dir=tmp_path,
        now=NIGHT,
        data_docs_path="/srv/districtwide/data_docs/index.html",
        env=plain_env(port),
        forbidden=[STUDENT_NAME],
    )
    assert len(report.sent) == 2 and not report.outbox and not report.failed
    assert not (tmp_path / "outbox").exists()
    assert len(collector.received) == 2

    by_domain = {
        str(m["X-Districtwide-Domain"]): (r, m)
        for r, m in zip(collector.received, collector.messages(), strict=True)
    }
    assert set(by_domain) == {"attendance", "sis"}
    for domain, (received, _) in by_domain.items():
        assert received["rcpt_tos"] == stewards_of(config, domain)
        assert received["mail_from"] == "districtwide-alerts@example.org"

    attendance = by_domain["attendance"][1]
    assert attendance["Subject"] == (
        "[districtwide] attendance: 2 checks failed (1 blocking) — run 4f2a9c1e"
    )
    body = attendance.get_content()
    assert "attendance_codes_mapped" in body and "exceptions_within_enrollment" in body
    assert "unmapped_code: 42 rows" in body
    assert "no_matching_student" not in body  # assessment's quarantine is not attendance's
    sis = by_domain["sis"][1].get_content()
    assert "birth_date_parses" in sis and "attendance_codes_mapped" not in sis
    assert "TODAY'S MARTS WERE NOT PUBLISHED" in sis


def test_no_planted_student_data_reaches_any_email(config, smtp_server, tmp_path: Path) -> None:
    collector, port = smtp_server
    send_alerts(
        FAILURES,
        QUARANTINE,
        config,
        "run-ferpa",
        state_dir=tmp_path,
        now=NIGHT,
        env=plain_env(port),
        forbidden=[STUDENT_NAME],  # names cannot be recognised by pattern; callers list them
    )
    send_run_failure(
        ValueError(f"could not cast '{STUDENT_NAME}' born {BIRTH_DATE_ISO} (id {STATE_ID})"),
        config,
        "run-ferpa-2",
        state_dir=tmp_path,
        now=NIGHT,
        env=plain_env(port),
    )
    assert len(collector.received) == 3
    for received, message in zip(collector.received, collector.messages(), strict=True):
        wire = received["data"].decode("utf-8", errors="replace")
        decoded = message.get_content() + str(message["Subject"])
        for value in PLANTED:
            assert value.lower() not in wire.lower()
            assert value.lower() not in decoded.lower()
    sis = next(m for m in collector.messages() if m["X-Districtwide-Domain"] == "sis")
    assert "unparseable: [date removed] for state ID [id removed]" in sis.get_content()


def test_run_failure_goes_to_district_it(config, smtp_server, tmp_path: Path) -> None:
    collector, port = smtp_server
    report = send_run_failure(
        RuntimeError("dbt build exited with code 2"),
        config,
        "8b7c6d5e-crash",
        state_dir=tmp_path,
        now=NIGHT,
        job_name="consolidated_load",
        step="dbt_build",
        env=plain_env(port),
    )
    assert [d.status for d in report.deliveries] == ["sent"]
    (received,) = collector.received
    assert received["rcpt_tos"] == sorted(c.email for c in config.district_it)
    (message,) = collector.messages()
    assert message["Subject"] == "[districtwide] run failed: consolidated_load — run 8b7c6d5e"
    assert "RuntimeError: dbt build exited with code 2" in message.get_content()


def test_repeat_run_sends_nothing_new(config, smtp_server, tmp_path: Path) -> None:
    collector, port = smtp_server
    for i, hours in enumerate((0, 1, 2)):
        send_alerts(
            FAILURES,
            [],
            config,
            f"run-{i}",
            state_dir=tmp_path,
            now=NIGHT + timedelta(hours=hours),
            env=plain_env(port),
        )
    assert len(collector.received) == 2


# ─── STARTTLS with login (skipped where openssl is missing) ───────────────────────────────────


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed: cannot make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_starttls_and_login(config, certificate, tmp_path: Path) -> None:
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)

    collector = Collector()
    controller = Controller(
        collector,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_context,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    controller.start()
    try:
        settings = SmtpSettings(
            host="127.0.0.1", port=controller.port, tls="starttls", user="alerts", password="s3cret"
        )
        transport = SmtpTransport(settings, ssl_context=ssl.create_default_context(cafile=cert))
        report = send_alerts(
            FAILURES[:1], [], config, "run-tls", state_dir=tmp_path, now=NIGHT, transport=transport
        )
    finally:
        controller.stop()
    assert [d.status for d in report.deliveries] == ["sent"]
    (received,) = collector.received
    assert received["tls"] and received["authenticated"]
    assert logins == [(b"alerts", b"s3cret")]
    assert received["rcpt_tos"] == stewards_of(config, "attendance")


def test_wrong_password_is_a_failed_delivery_saved_to_outbox(
    config, certificate, tmp_path: Path
) -> None:
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    collector = Collector()
    controller = Controller(
        collector,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_context,
        require_starttls=True,
        authenticator=lambda *args: AuthResult(success=False, handled=False),
    )
    controller.start()
    try:
        settings = SmtpSettings(
            host="127.0.0.1", port=controller.port, tls="starttls", user="alerts", password="bad"
        )
        transport = SmtpTransport(settings, ssl_context=ssl.create_default_context(cafile=cert))
        report = send_alerts(
            FAILURES[:1], [], config, "run-bad", state_dir=tmp_path, now=NIGHT, transport=transport
        )
    finally:
        controller.stop()
    (delivery,) = report.failed
    assert "SMTPAuthenticationError" in delivery.detail
    assert delivery.path is not None and delivery.path.exists()
    assert collector.received == []
