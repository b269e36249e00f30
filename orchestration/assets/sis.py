"""Raw tables of the sis source, one asset each (specs in connectors/oneroster.py)."""

from __future__ import annotations

from connectors.oneroster import SPECS
from orchestration.assets.raw import raw_table_asset

ASSETS = [raw_table_asset(spec) for spec in SPECS]
