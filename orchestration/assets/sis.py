"""Raw tables of the sis source, one asset each (specs in connectors/oneroster.py).

They land in the step `land_raw_tables` together with the other sources' tables, so that every
file lands in parallel (orchestration/assets/raw.py); Dagster counts the shared asset once.
"""

from __future__ import annotations

from orchestration.assets.raw import LANDING

ASSETS = [LANDING]
