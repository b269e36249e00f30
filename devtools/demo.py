"""`make demo` (`districtwide demo`): a synthetic district in the landing folders, one
consolidated load, a summary.

Rerunning is safe: files already in the landing folders are kept, and files already loaded
(same sha256) are skipped, so a second run only rebuilds the models.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from connectors.delivery import landing_files
from connectors.home import REPO_ROOT, Home
from districtwide.commands.load import load
from districtwide.running import dagster_instance, run_consolidated_load
from settings import config_notice, create_district_config

log = logging.getLogger("districtwide.demo")

__all__ = ["EXPECTED_WARNINGS", "dagster_instance", "main", "run_consolidated_load"]

# The checks the synthetic district fails on purpose (synthetic/faults.py plants these faults at
# small known rates), by rule, with why: the summary marks them as expected.
EXPECTED_WARNINGS = {
    "duplicate_records": "the generator repeats about 1 row in 1,000 of each export "
    "(synthetic/faults.py: sis_duplicate_user, sis_duplicate_enrollment, ...)",
    "unmapped_attendance_code": "the generator types about 1 attendance code in 1,000 that no "
    "crosswalk maps (exc_unmapped_code)",
    "unmatched_identity_share": "the generator writes records of students the SIS never saw "
    "(unknown_student)",
    "attendance_awaiting_review": "the generator holds some students' attendance records in "
    "identity review (synthetic/attendance.py: the review trap, missing or mistyped IDs with "
    "name faults)",
    "date_outside_school_year": "the generator mistypes some dates (malformed_date)",
    "date_not_instructional_day": "the generator mistypes some dates (malformed_date)",
}


def landing_is_empty(home: Home) -> bool:
    return not landing_files(home.landing)


#: The demo district's exports, as a district commonly has them: OneRoster 1.1 from the SIS,
#: PowerSchool's attendance exports, the MCAS student data file and NWEA MAP (each loaded
#: against the truth: tests/integration/test_generator_layouts.py, test_several_years.py).
DEMO_LAYOUTS = (
    "--sis",
    "oneroster-1.1",
    "--attendance",
    "powerschool",
    "--state",
    "mcas",
    "--benchmark",
    "map-combined",
)


def generate_district(home: Home, students: int, seed: int) -> None:
    """Write a synthetic district's exports into `home/landing` and its truth into `home/truth`."""
    cmd = [sys.executable, "-m", "synthetic", "--students", str(students)]
    cmd += ["--seed", str(seed), "--out", str(home.root), *DEMO_LAYOUTS]
    # `synthetic` is not installed with the product: it runs from the repository checkout.
    subprocess.run(cmd, check=True, cwd=REPO_ROOT)


def restore_school_crosswalk(home: Home) -> None:
    """A demo folder generated before the crosswalks moved to config/ has no school crosswalk:
    write its attendance codes from the generator's truth, as the generator now does."""
    target = home.root / "config" / "crosswalks" / "school_crosswalk.csv"
    truth = home.root / "truth" / "counts.json"
    if target.exists() or not truth.is_file():
        return
    schools = json.loads(truth.read_text(encoding="utf-8")).get("schools", [])
    lines = ["source_system,vendor_school,school_sourced_id,note"]
    lines += [
        f"attendance,{s['att_code']},{s['sourced_id']},attendance system school code"
        for s in schools
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log.info("wrote %s from the generated district's truth", target)


def main(students: int = 5000, seed: int = 2026) -> int:
    """Generate (when the landing folders are empty), load, alert and summarise; the exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)
    named = os.environ.get("DISTRICTWIDE_HOME")
    if not named:
        # dbt and the Dagster resources read the data folder from the environment.
        log.error("DISTRICTWIDE_HOME is not set: run `make demo`, or export it first")
        return 2
    home = Home(Path(named).resolve()).ensure()
    path, created = create_district_config(home.root)
    if created:
        print(config_notice(path))
    if landing_is_empty(home):
        log.info("Generating a %s-student district into %s", f"{students:,}", home.landing)
        generate_district(home, students, seed)
    else:
        log.info("Files already in %s: loading them as they are", home.landing)
        restore_school_crosswalk(home)
    return load(home, EXPECTED_WARNINGS)
