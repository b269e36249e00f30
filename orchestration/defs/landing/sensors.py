"""The landing sensor: start a consolidated load when a vendor drops new files into a landing
folder (new, replaced or removed files), once per change."""

from __future__ import annotations

import hashlib
import json

from dagster import RunRequest, SensorEvaluationContext, SkipReason, sensor

from connectors.sources import ALL_SPECS
from orchestration.defs.jobs import consolidated_load
from orchestration.resources import DistrictwideHome


def landing_fingerprint(home: DistrictwideHome) -> dict[str, list[float]]:
    """Name → (size, mtime) of every file a raw table would pick up."""
    layout = home.layout()
    files = {}
    for spec in ALL_SPECS:
        for path in spec.files_in(layout.landing):
            stat = path.stat()
            files[f"{spec.source}/{path.name}"] = [stat.st_size, stat.st_mtime]
    return files


@sensor(job=consolidated_load, minimum_interval_seconds=60)
def landing_sensor(context: SensorEvaluationContext, home: DistrictwideHome):
    """Request one run per change of the landing folders (new, replaced or removed files)."""
    files = landing_fingerprint(home)
    previous = json.loads(context.cursor) if context.cursor else {}
    changed = sorted(name for name, sig in files.items() if previous.get(name) != sig)
    if not changed:
        return SkipReason("no new files in the landing folders")
    digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
    context.update_cursor(json.dumps(files, sort_keys=True))
    return RunRequest(
        run_key=f"landing-{digest}", tags={"districtwide/new_files": ",".join(changed)[:1000]}
    )
