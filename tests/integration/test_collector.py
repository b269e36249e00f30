"""The collector tuning of orchestration/definitions.py (docs/UPGRADING.md): once the code
location is loaded, what it imported is frozen out of full collections and the young generation
is collected every 50,000 allocations. Checked in a fresh process, as the daemon's runs start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json
before = (gc.get_threshold(), gc.get_freeze_count())
from orchestration.definitions import defs
defs()
after = {"threshold": gc.get_threshold(), "frozen": gc.get_freeze_count()}
print(json.dumps({"before": before, **after}))
"""


def test_loading_the_code_location_freezes_it_and_sets_the_threshold(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "DISTRICTWIDE_HOME": str(tmp_path), "HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    assert probe["before"] == [[700, 10, 10], 0]  # CPython's defaults: the change is ours
    assert probe["threshold"] == [50_000, 20, 10]
    # Dagster, dbt, Great Expectations and the manifest: hundreds of thousands of objects.
    assert probe["frozen"] > 100_000
