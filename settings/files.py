"""Where the district config file is, reading it, and creating it on a district's first run.

Where the file is found, first match wins:

1. `$DISTRICTWIDE_HOME/config/district.yaml` (the district's own settings folder);
2. `$DISTRICTWIDE_CONFIG`, if set (it must exist, or it is an error whatever else exists);
3. `district.yaml` in the data folder (`$DISTRICTWIDE_HOME`, else `data/`), as before;
4. the example shipped in this package, `settings/district.example.yaml` (example.org
   addresses; a warning is logged).

`ensure_district_config` copies the shipped example to the first place on a first run, when
none of the first three exists, and never overwrites a file that is there. The notice that it did
is said once: a command that prints its own (`districtwide load`, `make demo`) calls
`create_district_config`, which logs nothing, before any Dagster step could; the warning that the
example is in use is logged once per process, not at every read of the config.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import yaml

from connectors.home import default_home
from settings.district import ConfigError, DistrictConfig, parse_config

log = logging.getLogger(__name__)

CONFIG_ENV = "DISTRICTWIDE_CONFIG"
CONFIG_DIR = "config"
CONFIG_FILENAME = "district.yaml"
# Package data (pyproject.toml), so an installed wheel has it too. districtwide is installed as
# files (a wheel unpacked into site-packages, or editable), never zipped: the resource is a file
# on disk, which `config_path` can return as the path to read.
EXAMPLE_CONFIG = Path(str(resources.files(__package__) / "district.example.yaml"))


def home_of(env: Mapping[str, str]) -> Path:
    return Path(env["DISTRICTWIDE_HOME"]) if env.get("DISTRICTWIDE_HOME") else default_home()


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the district config file is (see the module docstring for the order)."""
    env = os.environ if env is None else env
    explicit = Path(env[CONFIG_ENV]).expanduser() if env.get(CONFIG_ENV) else None
    if explicit is not None and not explicit.is_file():
        # Set but wrong is a mistake to say, whichever file would win.
        raise ConfigError(f"{CONFIG_ENV} points to {explicit}, which is not a file")
    home = home_of(env)
    in_config_dir = home / CONFIG_DIR / CONFIG_FILENAME
    if in_config_dir.is_file():
        return in_config_dir.resolve()
    if explicit is not None:
        return explicit.resolve()
    in_home = home / CONFIG_FILENAME
    if in_home.is_file():
        return in_home.resolve()
    if home not in _WARNED:
        _WARNED.add(home)
        log.warning(
            "no %s in %s and %s is not set: using %s (example.org addresses)",
            CONFIG_FILENAME,
            home,
            CONFIG_ENV,
            EXAMPLE_CONFIG,
        )
    return EXAMPLE_CONFIG


# Data folders whose missing config was already warned about in this process.
_WARNED: set[Path] = set()


def ensure_district_config(home: Path, env: Mapping[str, str] | None = None) -> Path:
    """The district's config file; on a first run (none found) a copy of the shipped example in
    `home/config/`, to be edited there, with a warning. An existing file is never overwritten."""
    path, created = create_district_config(home, env)
    if created:
        log.warning(config_notice(path))
    return path


def config_notice(path: Path) -> str:
    """What to tell a district whose config file was just created."""
    return (
        f"created {path} from {EXAMPLE_CONFIG.name}: replace its example.org people with the "
        "district's own"
    )


def create_district_config(home: Path, env: Mapping[str, str] | None = None) -> tuple[Path, bool]:
    """`ensure_district_config` without the warning: (the config file, whether it was created
    now), for a caller that says so itself."""
    env = {**(os.environ if env is None else env), "DISTRICTWIDE_HOME": str(home)}
    explicit = env.get(CONFIG_ENV)
    found = [
        Path(home) / CONFIG_DIR / CONFIG_FILENAME,
        *([Path(explicit).expanduser()] if explicit else []),
        Path(home) / CONFIG_FILENAME,
    ]
    if any(path.is_file() for path in found):
        return config_path(env), False
    target = found[0]
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with EXAMPLE_CONFIG.open("rb") as source, target.open("xb") as copy:
            shutil.copyfileobj(source, copy)
    except FileExistsError:
        return target.resolve(), False
    return target.resolve(), True


def load_config(
    path: Path | str | None = None, env: Mapping[str, str] | None = None
) -> DistrictConfig:
    """Read and validate the district config file (`path`, else found by `config_path`)."""
    path = Path(path) if path is not None else config_path(env)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the district config file ({exc.strerror})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    return parse_config(data, path)
