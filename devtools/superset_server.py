"""Install-free control of a local Apache Superset: configure, initialise, start, stop.

Superset runs from its own virtual environment (`.venv-superset`, see
`dashboards/superset/requirements.txt`) because it pins pandas 2.1, SQLAlchemy 1.4 and numpy < 2.3,
which clash with the pipeline's stack. This module lives on the pipeline side and only drives that
venv through subprocesses, so it needs nothing beyond the standard library and `requests`.

Everything Superset writes (config, metadata database, secret key, logs, pid file) stays under one
folder, `<DISTRICTWIDE_HOME>/superset` by default, beside the data it serves and never in the repo.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import requests

from dashboards.errors import SupersetError
from devtools.superset_config import (
    INIT_MARKER_VERSION,
    SupersetSettings,
    write_config,
)

log = logging.getLogger(__name__)


class SupersetAlreadyRunning(SupersetError):
    """A server started from the same home is still alive: two would share one metadata DB."""

    def __init__(self, base_url: str, pid: int) -> None:
        super().__init__(f"Superset is already running for this home at {base_url} (pid {pid})")
        self.base_url = base_url
        self.pid = pid


def _require_venv(settings: SupersetSettings) -> None:
    if not settings.bin("superset").exists():
        raise SupersetError(
            f"no Superset venv at {settings.venv}: run `make {settings.venv}/.installed`"
        )


def _run(settings: SupersetSettings, args: list[str], stdin: str | None = None) -> None:
    """Run one superset CLI command, appending its output to the init log."""
    with settings.init_log.open("a") as out:
        out.write(f"\n$ superset {' '.join(args)}\n")
        out.flush()
        result = subprocess.run(
            [str(settings.bin("superset")), *args],
            input=stdin,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=settings.env(),
            cwd=settings.home,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise SupersetError(
            f"`superset {args[0]}` failed ({result.returncode}):\n{_tail(settings.init_log)}"
        )


def initialise(settings: SupersetSettings, force: bool = False) -> bool:
    """Migrate the metadata DB, create the admin user and default roles; once per home.

    Returns True when it did the work, False when the marker said it was already done.
    """
    _require_venv(settings)
    write_config(settings)
    marker = settings.init_marker
    if not force and marker.exists() and marker.read_text().strip() == INIT_MARKER_VERSION:
        return False
    started = time.monotonic()
    _run(settings, ["db", "upgrade"])
    # The password goes through stdin (click prompts for it), never on a command line.
    password = settings.admin_password
    _run(
        settings,
        [
            "fab",
            "create-admin",
            "--username",
            settings.admin_user,
            "--firstname",
            "District",
            "--lastname",
            "Admin",
            "--email",
            f"{settings.admin_user}@localhost",
        ],
        stdin=f"{password}\n{password}\n",
    )
    _run(settings, ["init"])
    settings.init_marker.write_text(INIT_MARKER_VERSION + "\n")
    log.info("initialised Superset in %s in %.1f s", settings.home, time.monotonic() - started)
    return True


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return f"(no log at {path})"


def _healthy(base_url: str, timeout: float = 2.0) -> bool:
    try:
        response = requests.get(f"{base_url}/health", timeout=timeout)
    except requests.RequestException:
        return False
    return response.status_code == 200 and response.text.strip() == "OK"


def _read_running(settings: SupersetSettings) -> tuple[int, str] | None:
    """(pid, URL) from the pid file if that process is alive and is this home's gunicorn."""
    try:
        pid_text, *rest = settings.pid_file.read_text().split()
        pid = int(pid_text)
    except (FileNotFoundError, ValueError):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # Guard against a recycled pid: the master's command line names gunicorn and this home's
    # gunicorn pid file.
    args = [a.decode(errors="replace") for a in cmdline]
    if not any("gunicorn" in a for a in args) or str(settings.gunicorn_pid_file) not in args:
        return None
    return pid, (rest[0] if rest else settings.base_url)


def _read_pid(settings: SupersetSettings) -> int | None:
    running = _read_running(settings)
    return running[0] if running else None


def is_running(settings: SupersetSettings) -> bool:
    """True when this home's server process is alive and answers /health."""
    running = _read_running(settings)
    return running is not None and _healthy(running[1])


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


@dataclass
class SupersetProcess:
    """A running gunicorn master serving Superset; `stop()` ends its whole process group."""

    settings: SupersetSettings
    pid: int
    popen: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    @property
    def home(self) -> Path:
        return self.settings.home

    @property
    def admin_user(self) -> str:
        return self.settings.admin_user

    @property
    def admin_password(self) -> str:
        return self.settings.admin_password

    def alive(self) -> bool:
        if self.popen is not None:
            return self.popen.poll() is None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return _read_pid(self.settings) == self.pid

    def wait_healthy(self, timeout: float) -> None:
        """Poll /health until it answers OK; on timeout or death, stop and quote the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                self._cleanup_pid_file()
                raise SupersetError(
                    f"Superset exited while starting; log {self.settings.server_log}:\n"
                    f"{_tail(self.settings.server_log)}"
                )
            if _healthy(self.base_url):
                return
            time.sleep(0.5)
        self.stop()
        raise SupersetError(
            f"Superset did not answer {self.base_url}/health within {timeout:.0f} s; "
            f"log {self.settings.server_log}:\n{_tail(self.settings.server_log)}"
        )

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM the process group (gunicorn master and workers), SIGKILL after `timeout`."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._group_alive():
            if self.popen is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.popen.wait(timeout=0.2)
            else:
                time.sleep(0.2)
        if self._group_alive():
            log.warning("Superset (pid %d) ignored SIGTERM; killing it", self.pid)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
        if self.popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=5)
        self._cleanup_pid_file()
        log.info("stopped Superset (pid %d)", self.pid)

    def _group_alive(self) -> bool:
        if self.popen is not None and self.popen.poll() is None:
            return True
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def _cleanup_pid_file(self) -> None:
        with contextlib.suppress(FileNotFoundError, ValueError, IndexError):
            if int(self.settings.pid_file.read_text().split()[0]) == self.pid:
                self.settings.pid_file.unlink()

    def __enter__(self) -> SupersetProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start(settings: SupersetSettings, timeout: float = 180.0) -> SupersetProcess:
    """Start gunicorn in its own session and wait for /health.

    Refuses (SupersetAlreadyRunning) when this home's server is alive: two servers on one sqlite
    metadata DB would step on each other. A stale pid file is removed.
    """
    _require_venv(settings)
    initialise(settings)
    running = _read_running(settings)
    if running is not None:
        raise SupersetAlreadyRunning(running[1], running[0])
    settings.pid_file.unlink(missing_ok=True)
    if not _port_free(settings.host, settings.port):
        raise SupersetError(f"{settings.host}:{settings.port} is already in use")
    cmd = [
        str(settings.bin("gunicorn")),
        "--workers",
        str(settings.workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(settings.threads),
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
        "--bind",
        f"{settings.host}:{settings.port}",
        # Gunicorn's own pid file; its path also marks the process as this home's server.
        "--pid",
        str(settings.gunicorn_pid_file),
        "superset.app:create_app()",
    ]
    settings.server_log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with settings.server_log.open("ab") as out:
        popen = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=settings.env(),
            cwd=settings.home,
            start_new_session=True,
        )
    settings.pid_file.write_text(f"{popen.pid} {settings.base_url}\n")
    process = SupersetProcess(settings, popen.pid, popen)
    process.wait_healthy(timeout)
    log.info(
        "Superset healthy at %s (pid %d) after %.1f s",
        settings.base_url,
        popen.pid,
        time.monotonic() - started,
    )
    return process


def attach(settings: SupersetSettings) -> SupersetProcess | None:
    """The server started earlier (by another process) for this home, if it is alive."""
    running = _read_running(settings)
    if running is None:
        return None
    pid, url = running
    port = urlsplit(url).port
    if port and port != settings.port:
        settings = replace(settings, port=port)
    return SupersetProcess(settings, pid)


def stop(settings: SupersetSettings) -> bool:
    """Stop this home's server if one runs; True if there was one."""
    process = attach(settings)
    if process is None:
        settings.pid_file.unlink(missing_ok=True)
        return False
    process.stop()
    return True


def status(settings: SupersetSettings) -> tuple[int, str] | None:
    """(pid, base URL) of this home's server when it runs and answers /health, else None."""
    running = _read_running(settings)
    if running is not None and _healthy(running[1]):
        return running
    return None
