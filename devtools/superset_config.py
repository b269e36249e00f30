"""Where the local Superset lives and how it is configured: its settings (from the environment or
the command line) and the `superset_config.py` written under its home.

Split from `devtools.superset_server`, which starts and stops the process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from connectors.home import REPO_ROOT, default_home

log = logging.getLogger(__name__)

# Local-only defaults: the server listens on loopback. Set the environment variables for anything
# another person can reach.
DEFAULT_ADMIN_USER = "admin"
DEFAULT_ADMIN_PASSWORD = "districtwide-local-admin"  # noqa: S105 - documented dev default
DEFAULT_PORT = 8088
# Two cores and about 350 MB per worker: two workers with four threads each keep a dashboard's
# charts loading in parallel without starving the pipeline.
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 4
INIT_MARKER_VERSION = "superset-6.1.0-v1"
#: Where the Superset-side module the config imports lives (it runs in Superset's venv).
TUNING_DIR = REPO_ROOT / "dashboards" / "superset"


def _env_or(name: str, default: str) -> str:
    return os.environ.get(name) or default


@dataclass(frozen=True)
class SupersetSettings:
    """Where Superset lives and how it is reached; every field can come from the environment."""

    venv: Path = field(default_factory=lambda: REPO_ROOT / ".venv-superset")
    home: Path = field(default_factory=lambda: default_home() / "superset")
    host: str = "127.0.0.1"
    port: int = field(
        default_factory=lambda: int(_env_or("DISTRICTWIDE_SUPERSET_PORT", str(DEFAULT_PORT)))
    )
    admin_user: str = field(
        default_factory=lambda: _env_or("DISTRICTWIDE_SUPERSET_ADMIN_USER", DEFAULT_ADMIN_USER)
    )
    admin_password: str = field(
        default_factory=lambda: _env_or(
            "DISTRICTWIDE_SUPERSET_ADMIN_PASSWORD", DEFAULT_ADMIN_PASSWORD
        ),
        repr=False,
    )
    workers: int = DEFAULT_WORKERS
    threads: int = DEFAULT_THREADS

    def __post_init__(self) -> None:
        # Absolute paths: the home is matched in the server's command line and written in config.
        object.__setattr__(self, "home", Path(self.home).resolve())
        object.__setattr__(self, "venv", Path(self.venv).absolute())

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def config_path(self) -> Path:
        return self.home / "superset_config.py"

    @property
    def metadata_db(self) -> Path:
        return self.home / "superset_meta.db"

    @property
    def secret_key_file(self) -> Path:
        return self.home / "secret_key"

    @property
    def pid_file(self) -> Path:
        return self.home / "superset.pid"

    @property
    def gunicorn_pid_file(self) -> Path:
        return self.home / "gunicorn.pid"

    @property
    def server_log(self) -> Path:
        return self.home / "logs" / "server.log"

    @property
    def init_log(self) -> Path:
        return self.home / "logs" / "init.log"

    @property
    def init_marker(self) -> Path:
        return self.home / ".initialised"

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name

    def secret_key(self) -> str:
        """`DISTRICTWIDE_SUPERSET_SECRET_KEY`, else a key generated once and kept (0600) in home.

        The key encrypts database credentials in the metadata DB, so it must not change between
        runs, and it must never be committed.
        """
        from_env = os.environ.get("DISTRICTWIDE_SUPERSET_SECRET_KEY")
        if from_env:
            return from_env
        self.home.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            fd = os.open(self.secret_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
            log.info("generated a Superset secret key in %s", self.secret_key_file)
        return self.secret_key_file.read_text().strip()

    def env(self) -> dict[str, str]:
        """The environment of a Superset subprocess: its own venv, config and home only."""
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "FLASK_APP", "FLASK_DEBUG")
        }
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["SUPERSET_CONFIG_PATH"] = str(self.config_path)
        env["SUPERSET_HOME"] = str(self.home)
        env["PYTHONUNBUFFERED"] = "1"
        return env


CONFIG_TEMPLATE = '''"""Written by districtwide (devtools/superset_config.py): edits are lost."""

import os
import sys
from pathlib import Path

HOME = Path({home!r})
DATA_DIR = str(HOME)
SECRET_KEY = os.environ.get("DISTRICTWIDE_SUPERSET_SECRET_KEY") or (
    HOME / "secret_key"
).read_text().strip()
SQLALCHEMY_DATABASE_URI = "sqlite:///" + str(HOME / "superset_meta.db")

# Served on loopback over plain HTTP: Talisman's HTTPS/CSP defaults would break the login page.
TALISMAN_ENABLED = False
CONTENT_SECURITY_POLICY_WARNING = False
WTF_CSRF_ENABLED = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True

# Metadata cache shared by the gunicorn workers on one host. Chart data is not cached: the
# served DuckDB file is swapped after each load and a dashboard must show the new data at once.
CACHE_CONFIG = {{
    "CACHE_TYPE": "FileSystemCache",
    "CACHE_DIR": str(HOME / "cache"),
    "CACHE_DEFAULT_TIMEOUT": 300,
    "CACHE_THRESHOLD": 1000,
}}
DATA_CACHE_CONFIG = {{"CACHE_TYPE": "NullCache"}}

# No async query workers (no Celery) on a single host.
RESULTS_BACKEND = None
FEATURE_FLAGS = {{"DASHBOARD_RBAC": True}}
SUPERSET_WEBSERVER_TIMEOUT = 120

# Tuned for chart data requests (dashboards/superset/districtwide_superset.py says what each
# costs by default): events go to the server log, not six commits per request to the metadata
# DB; each worker keeps the served DuckDB file open read-only and follows its swap; DuckDB's
# reserved words are read once, not for every engine.
sys.path.insert(0, {tuning!r})
from districtwide_superset import (  # noqa: E402
    KeptOpenDuckDB,
    LoggingEventLogger,
    remember_reserved_words,
)

remember_reserved_words()

EVENT_LOGGER = LoggingEventLogger()
DB_CONNECTION_MUTATOR = KeptOpenDuckDB()
'''


def write_config(settings: SupersetSettings) -> Path:
    """Write `superset_config.py` under home (0600: it names the key file and metadata DB)."""
    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / "logs").mkdir(exist_ok=True)
    (settings.home / "cache").mkdir(exist_ok=True)
    settings.secret_key()  # the config reads it: make sure it exists before any command runs
    text = CONFIG_TEMPLATE.format(home=str(settings.home.resolve()), tuning=str(TUNING_DIR))
    path = settings.config_path
    if not path.exists() or path.read_text() != text:
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(tmp, path)
    return path
