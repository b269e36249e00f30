"""requirements.lock, what `make install` installs, keeps every pin of pyproject.toml.

A pin changed in pyproject.toml without `make lock` would otherwise be installed from the old
lock without a word.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", requirement.split("==")[0].split("[")[0].strip()).lower()


def locked() -> dict[str, set[str]]:
    versions: dict[str, set[str]] = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        if line and not line.startswith((" ", "#")) and "==" in line:
            pin = line.split(";")[0].strip()
            versions.setdefault(_name(pin), set()).add(pin.split("==")[1])
    return versions


def test_every_pin_of_pyproject_is_in_the_lock_at_its_version() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = project["dependencies"] + project["optional-dependencies"]["dev"]
    lock = locked()
    for requirement in pins:
        assert "==" in requirement, f"{requirement}: core versions are pinned"
        name, version = _name(requirement), requirement.split("==")[1].strip()
        assert lock.get(name) == {version}, (
            f"{name}=={version} in pyproject.toml, {sorted(lock.get(name, []))} in "
            "requirements.lock: run `make lock`"
        )
