"""Raw tables of the assessment source, one asset each (specs in connectors/assessment.py)."""

from __future__ import annotations

from connectors.assessment import SPECS
from orchestration.assets.raw import raw_table_asset

ASSETS = [raw_table_asset(spec) for spec in SPECS]
