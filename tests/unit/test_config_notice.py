"""The district-config notice is said once: creating the file says so once, a command that prints
its own notice creates it silently, and reading without a file warns once per process."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from settings import config_notice, config_path, create_district_config, ensure_district_config


def test_the_file_is_created_once_and_said_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="settings.files"):
        path, created = create_district_config(tmp_path, {})
        assert created and path == (tmp_path / "config" / "district.yaml").resolve()
        assert create_district_config(tmp_path, {}) == (path, False)
        assert ensure_district_config(tmp_path, {}) == path
    assert caplog.records == [], "the caller says it, once"
    assert "replace its example.org people" in config_notice(path)


def test_ensure_warns_on_creation_only(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="settings.files"):
        ensure_district_config(tmp_path, {})
        ensure_district_config(tmp_path, {})
    assert [r.getMessage().startswith("created ") for r in caplog.records] == [True]


def test_the_example_in_use_is_warned_once_per_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = {"DISTRICTWIDE_HOME": str(tmp_path)}
    with caplog.at_level(logging.WARNING, logger="settings.files"):
        first, second = config_path(env), config_path(env)
    assert first == second and first.name == "district.example.yaml"
    assert len(caplog.records) == 1
