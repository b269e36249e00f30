"""Raw tables of the attendance source, one asset each (specs in connectors/attendance.py)."""

from __future__ import annotations

from connectors.attendance import SPECS
from orchestration.assets.raw import raw_table_asset

ASSETS = [raw_table_asset(spec) for spec in SPECS]
