"""Fixtures for tests that need a real Apache Superset or a real headless Chromium.

Superset's metadata migrations take about a minute, so one home is initialised per session and
copied for every server a test starts; the `superset` server itself is shared by the session.
Like `require_service`, a missing Superset venv or Chromium fails the test in CI (CI=true, where
`make test` installs both) and skips it elsewhere with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.screenshot import browser_paths
from devtools.superset_server import SupersetProcess, SupersetSettings, initialise, start
from tests.fixtures.network import free_port

REPO = Path(__file__).resolve().parents[2]
SUPERSET_VENV = REPO / ".venv-superset"


def require(ok: bool, message: str) -> None:
    """Fail in CI, skip elsewhere, when something the test needs is missing."""
    if ok:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must provide it")
    pytest.skip(message)


def require_superset_venv() -> None:
    require(
        (SUPERSET_VENV / "bin" / "superset").exists() and (SUPERSET_VENV / "bin/gunicorn").exists(),
        f"no Superset venv at {SUPERSET_VENV} (make {SUPERSET_VENV.name}/.installed)",
    )


def clone_home(template: Path, home: Path) -> Path:
    """A Superset home with the template's migrated metadata DB, admin user and secret key."""
    home.mkdir(parents=True, exist_ok=True)
    for name in ("superset_meta.db", "secret_key", ".initialised"):
        if (template / name).exists():
            shutil.copy2(template / name, home / name)
    return home


def superset_settings(home: Path, **overrides: object) -> SupersetSettings:
    """Test settings: a free port, the repo's Superset venv, one worker (2 cores here)."""
    values: dict[str, object] = {
        "home": home,
        "venv": SUPERSET_VENV,
        "port": free_port(),
        "workers": 1,
        "threads": 4,
    }
    values.update(overrides)
    return SupersetSettings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def superset_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Superset home initialised once (db upgrade, admin, init); copy it with `clone_home`."""
    require_superset_venv()
    home = tmp_path_factory.mktemp("superset-template")
    initialise(superset_settings(home))
    return home


@pytest.fixture(scope="session")
def superset(
    superset_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SupersetProcess]:
    """A real Superset on a free loopback port for the session.

    Has `base_url`, `admin_user`, `admin_password`, `home` and `settings`; stopped at the end.
    """
    home = clone_home(superset_template, tmp_path_factory.mktemp("superset"))
    with start(superset_settings(home)) as server:
        yield server


@pytest.fixture(scope="session")
def chromium() -> tuple[Path, Path]:
    """Debian's Chromium and ChromeDriver (`make chromium`), or the pair DISTRICTWIDE_CHROMIUM
    and DISTRICTWIDE_CHROMEDRIVER name: (browser, driver)."""
    chromium, chromedriver = browser_paths()
    require(
        chromium.exists() and chromedriver.exists(),
        f"{chromium} or {chromedriver} is missing (make chromium)",
    )
    version = subprocess.run(
        [str(chromedriver), "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    require(version.returncode == 0, f"{chromedriver} does not run: {version.stderr.strip()}")
    return chromium, chromedriver
