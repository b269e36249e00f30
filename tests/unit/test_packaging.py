"""What a district installs: the wheel's packages and the data files they read at run time.

setuptools puts a non-Python file in the wheel only when `[tool.setuptools.package-data]` names
it; a layout or spec added without that would work in the checkout and be missing once installed.
docs/architecture.md ("What a district installs") lists what stays in the checkout on purpose.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import settings

REPO = Path(__file__).resolve().parents[2]
SETUPTOOLS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "setuptools"
]
PRODUCT = [name.rstrip("*") for name in SETUPTOOLS["packages"]["find"]["include"]]
# Read from the checkout only (docs/architecture.md): the local Superset venv's pins, a README.
CHECKOUT_ONLY = {
    "dashboards/superset/requirements.txt",
    "dashboards/superset/constraints.txt",
    "expectations/README.md",
}


def data_files(package: str) -> list[str]:
    """The non-Python files under a product package, relative to the package."""
    root = REPO / package
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    )


def test_the_test_data_generator_and_devtools_are_not_installed() -> None:
    assert "synthetic" not in PRODUCT and "devtools" not in PRODUCT
    assert {"connectors", "settings", "orchestration", "districtwide"} <= set(PRODUCT)


def test_every_data_file_of_the_product_is_package_data() -> None:
    patterns = SETUPTOOLS["package-data"]
    missing = [
        f"{package}/{name}"
        for package in PRODUCT
        for name in data_files(package)
        if f"{package}/{name}" not in CHECKOUT_ONLY
        and not any(fnmatch.fnmatch(name, p) for p in patterns.get(package, []))
    ]
    assert missing == [], "add them to [tool.setuptools.package-data] in pyproject.toml"


def test_the_example_config_is_read_from_the_settings_package() -> None:
    assert Path(settings.__file__).with_name("district.example.yaml") == settings.EXAMPLE_CONFIG
    assert settings.EXAMPLE_CONFIG.is_file()
    assert not (REPO / "district.example.yaml").exists()
