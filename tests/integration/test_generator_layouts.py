"""The whole load on districts generated in real vendor layouts, checked against the truth.

Each combination of `python -m synthetic --sis/--attendance/--state/--benchmark` writes the same
district in other files; loaded through the consolidated_load job (the `district` fixture's
builders), its marts must equal the generator's truth exactly as for the default layouts: the
truth checks of test_consolidated_load and test_inquiry_marts run here on each combination.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial

import pytest

from connectors.crosswalk_files import crosswalk_dir, ensure_crosswalks
from connectors.home import Home
from settings.files import ensure_district_config
from synthetic import state_layouts
from tests.conftest import District, generate, run_load
from tests.integration import test_consolidated_load as load_checks
from tests.integration import test_inquiry_marts as mart_checks

pytestmark = pytest.mark.integration

#: (sis, attendance, state, benchmarks): realistic districts, each layout at least once.
COMBINATIONS = [
    ("oneroster-1.1", "districtwide", "mcas", "map-combined"),
    ("oneroster-1.1", "powerschool", "caaspp", "map-combined"),
    ("oneroster-1.1", "edfi", "mcas", "map-combined"),
    ("oneroster-1.1", "powerschool", "mcas", "map-combined"),
]

#: The truth checks that hold on any generated district, by name (the transfer check needs a
#: district large enough to hold a mid-year transfer: the default `district` fixture's).
CHECKS: dict[str, Callable[[District], None]] = {
    "mart_row_counts": load_checks.test_every_mart_row_count_matches_the_truth,
    "linked_plus_waiting": (
        load_checks.test_linked_fact_rows_plus_rows_waiting_for_review_reproduce_the_truth
    ),
    "identity_precision": load_checks.test_identity_precision_is_one,
    "absence_days": load_checks.test_absence_days_match_the_truth_for_linked_rows,
    **{
        f"raw_equals_staged_plus_quarantined_{source}": partial(
            load_checks.test_raw_rows_equal_staged_plus_quarantined, source=source
        )
        for source in sorted(load_checks.RAW_TABLES)
    },
    "bad_rows_quarantined": load_checks.test_bad_rows_are_quarantined_with_file_line_and_reason,
    "chronic_absence": mart_checks.test_chronic_absence_per_year_matches_the_truth,
    "state_proficiency": (
        mart_checks.test_state_proficiency_per_school_and_subject_matches_the_truth
    ),
    "growth_rows": mart_checks.test_growth_rows_come_from_the_map_results_in_each_window,
}


@pytest.fixture(
    scope="module",
    params=COMBINATIONS,
    ids=lambda c: "-".join(c[1:3]),
)
def layout_district(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A 600-student district written in one combination of layouts, loaded once."""
    sis, attendance, state, benchmarks = request.param
    root = tmp_path_factory.mktemp(f"district-{attendance}-{state}")
    generate(
        root,
        600,
        7,
        "--sis",
        sis,
        "--attendance",
        attendance,
        "--state",
        state,
        "--benchmark",
        benchmarks,
    )
    home = Home(root).ensure()
    scale = state_layouts.SCALES.get(state)
    if scale:  # the district's state reports another scale: its config says so
        config = ensure_district_config(root)
        text = config.read_text(encoding="utf-8")
        low, high = scale
        quality = f"quality:\n  state_scale_score_min: {low}\n  state_scale_score_max: {high}\n"
        config.write_text(text.replace("quality:\n", quality, 1), encoding="utf-8")
    if state == "caaspp":  # the simulated grade 10 takes the grade 11 test: the district says so
        ensure_crosswalks(home)
        levels = crosswalk_dir(home) / "achievement_levels.csv"
        grade_11 = [
            line
            for line in levels.read_text(encoding="utf-8").splitlines()
            if line.startswith(("CAASPP,01,11,", "CAASPP,02,11,"))
        ]
        with levels.open("a", encoding="utf-8") as out:
            out.writelines(line.replace(",11,", ",10,", 1) + "\n" for line in grade_11)
    result = run_load(home)
    assert result.success, "consolidated_load failed"
    counts = json.loads((root / "truth" / "counts.json").read_text())
    return District(home, counts)


#: The layouts each choice's files must be recognized as.
LAYOUTS_OF = {
    "districtwide": {"districtwide_attendance_students", "districtwide_attendance_exceptions"},
    "powerschool": {"powerschool_students", "powerschool_attendance"},
    "edfi": {"districtwide_attendance_students", "edfi_student_school_attendance_event"},
    "mcas": {"mcas_student_data"},
    "caaspp": {"caaspp_student_score_data"},
    "map-combined": {"nwea_map_combined_student_assessment"},
}


def test_the_files_are_in_the_chosen_layouts(
    layout_district: District, request: pytest.FixtureRequest
) -> None:
    """Every landed file was loaded, recognized by the layout its vendor's files have."""
    _, attendance, state, benchmarks = request.node.callspec.params["layout_district"]
    with layout_district.warehouse() as con:
        loaded = dict(
            con.execute(
                "select distinct source_path, layout from audit.file_loads where status = 'loaded'"
            ).fetchall()
        )
    landing = layout_district.home.root / "landing"
    delivered = {str(p.relative_to(landing)) for p in landing.rglob("*") if p.is_file()}
    assert set(loaded) == delivered
    expected = LAYOUTS_OF[attendance] | LAYOUTS_OF[state]
    for benchmark in benchmarks.split(","):
        expected |= LAYOUTS_OF[benchmark]
    assessment_and_attendance = {
        layout for path, layout in loaded.items() if not path.startswith("sis/")
    }
    assert assessment_and_attendance == expected


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_marts_equal_the_truth(layout_district: District, check: str) -> None:
    CHECKS[check](layout_district)
