"""The landing sensor: start a consolidated load when a vendor drops new files into a landing
folder (new, replaced or removed files), once per change; like the nightly one, it builds the
marts of the current school year and the one just ended (orchestration/defs/dbt/school_years.py)."""

from __future__ import annotations

import hashlib
import json

from dagster import RunRequest, SensorEvaluationContext, SkipReason, sensor

from connectors.delivery import landing_files
from orchestration.defs.dbt.school_years import (
    range_tags,
    recent_years,
    register,
    years_in_warehouse,
)
from orchestration.defs.jobs import consolidated_load
from orchestration.resources import DistrictwideHome


def landing_fingerprint(home: DistrictwideHome) -> dict[str, list[float]]:
    """Path under landing → (size, mtime) of every delivered file (subfolders and zips too); a
    symbolic link's own, not its target's (a load refuses it and says so)."""
    landing = home.layout().landing
    files = {}
    for path in landing_files(landing):
        stat = path.lstat()
        files[path.relative_to(landing).as_posix()] = [stat.st_size, stat.st_mtime]
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
    first, last = recent_years()
    register(context.instance, [*years_in_warehouse(home.layout().warehouse), first, last])
    return RunRequest(
        run_key=f"landing-{digest}",
        tags={**range_tags(first, last), "districtwide/new_files": ",".join(changed)[:1000]},
    )
