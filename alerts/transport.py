"""How an alert leaves: SMTP from the environment, or .eml files in an outbox folder.

Settings come from the environment (nothing secret lives in the config file):
  DISTRICTWIDE_SMTP_HOST      SMTP server; unset → each alert is written as a .eml file to
                              `<state_dir>/outbox/` (and logged, and listed in the AlertReport)
  DISTRICTWIDE_SMTP_PORT      default 587 (starttls), 465 (ssl), 25 (none)
  DISTRICTWIDE_SMTP_TLS       starttls (default) | ssl | none
  DISTRICTWIDE_SMTP_USER      login user, optional (no login when unset)
  DISTRICTWIDE_SMTP_PASSWORD  login password; refused over a non-TLS link except on loopback
  DISTRICTWIDE_SMTP_FROM      sender address, default districtwide@localhost
Logs name hosts and file paths only: never message bodies, never the password.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Literal, Protocol

from alerts.compose import DEFAULT_FROM, short_id

log = logging.getLogger(__name__)

TlsMode = Literal["none", "starttls", "ssl"]

ENV_HOST = "DISTRICTWIDE_SMTP_HOST"
ENV_PORT = "DISTRICTWIDE_SMTP_PORT"
ENV_TLS = "DISTRICTWIDE_SMTP_TLS"
ENV_USER = "DISTRICTWIDE_SMTP_USER"
ENV_PASSWORD = "DISTRICTWIDE_SMTP_PASSWORD"
ENV_FROM = "DISTRICTWIDE_SMTP_FROM"
DEFAULT_PORTS: Mapping[str, int] = {"starttls": 587, "ssl": 465, "none": 25}
OUTBOX_DIR = "outbox"


class AlertConfigError(ValueError):
    """The DISTRICTWIDE_SMTP_* environment is invalid (the message names the variable)."""


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
    run = short_id(str(message.get("X-Districtwide-Run", "run")))
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
