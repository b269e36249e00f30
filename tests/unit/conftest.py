"""Fixtures of the unit tests."""

from __future__ import annotations

import pytest

from settings import EXAMPLE_CONFIG, DistrictConfig, load_config


@pytest.fixture
def config() -> DistrictConfig:
    """The shipped example district config (settings/district.example.yaml)."""
    return load_config(EXAMPLE_CONFIG)
