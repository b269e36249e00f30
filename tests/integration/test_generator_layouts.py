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

#: (sis, attendance, state, benchmarks): realistic districts, each layout at least once. MCAS,
#: the demo's state layout, goes through the whole load in test_several_years (three years, both
#: of its layout versions); the default layouts in every test of the shared district. CAASPP
#: (and FAST, ILEARN) are staged against the truth in test_state_bands; PowerSchool's attendance
#: goes through whole loads from its database in test_database_sources, its export files through
#: test_layout_loads. A fourth whole load here put CI within 20 s of its 30 minutes.
COMBINATIONS = [
    ("oneroster-1.2", "edfi", "mca", "map-cdf,iready"),
    ("oneroster-1.1", "edfi", "cmas", "map-cdf,iready,star"),
    ("oneroster-1.1", "districtwide", "staar", "map-combined"),
]

#: How fct_assessment_result names the subjects of the generator's benchmark truth.
BENCHMARK_SUBJECTS = {
    "ELA": "English Language Arts",
    "Reading": "English Language Arts",
    "Math": "Mathematics",
}


def check_benchmark_results(district: District) -> None:
    """Each benchmark test event of the truth reaches fct_assessment_result once per measure,
    per assessment, subject, year and window; the injected bad lines are quarantined, no more."""
    truth = district.counts["benchmarks"]
    expected = {
        (r["assessment"], BENCHMARK_SUBJECTS[r["subject"]], r["school_year"], r["season"]): (
            r["n_events"],
            r["n_events"] * r["measures"],
        )
        for r in truth["results"]
    }
    with district.warehouse() as con:
        rows = con.execute(
            """
            select assessment_name, academic_subject, school_year, season,
                   count(distinct (source_file, line_number)), count(*)
            from marts.fct_assessment_result where assessment = 'benchmark'
            group by all
            """
        ).fetchall()
        quarantined = con.execute(
            """
            select source_file, count(distinct line_number), count(*) filter (where reason is null)
            from quarantine.quarantine_assessment
            where entity = 'benchmark_results' and stage in ('parse', 'staging')
            group by all
            """
        ).fetchall()
    assert {r[:4]: r[4:] for r in rows} == expected
    assert {f: n for f, n, _ in quarantined} == truth["quarantined_lines"]
    assert all(unexplained == 0 for _, _, unexplained in quarantined)


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
    "benchmark_results": check_benchmark_results,
}


@pytest.fixture(
    scope="module",
    params=COMBINATIONS,
    ids=lambda c: "-".join((c[0].removeprefix("oneroster-"), *c[1:3], c[3].replace(",", "+"))),
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
    config = ensure_district_config(root)
    text = config.read_text(encoding="utf-8")
    scale = state_layouts.SCALES.get(state)
    if scale:  # the district's state reports another scale: its config says so
        low, high = scale
        quality = f"quality:\n  state_scale_score_min: {low}\n  state_scale_score_max: {high}\n"
        text = text.replace("quality:\n", quality, 1)
    if sis == "oneroster-1.2":  # GUID sourcedIds: the student number is in userIds
        assert "\nsis:\n  local_id: sourcedId\n" in text
        text = text.replace(
            "\nsis:\n  local_id: sourcedId\n", "\nsis:\n  local_id: userIds:district\n"
        )
    config.write_text(text, encoding="utf-8")
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


ONEROSTER_FILES = (
    "manifest", "orgs", "academic_sessions", "courses", "classes", "users", "enrollments",
    "demographics",
)  # fmt: skip
#: The layouts each state choice's files must be recognized as.
STATE_LAYOUTS_OF = {
    "districtwide": {"districtwide_state_results"},
    "mcas": {"mcas_student_data"},
    "caaspp": {"caaspp_student_score_data"},
    "cmas": {"cmas_student_data"},
    "ilearn": {"ilearn_student_data"},
    "fast": {"fast_student_results"},
    "mca": {"mca_district_student_results"},
    "staar": {"staar_3_8_student_data", "staar_eoc_student_data"},
}
#: The layouts each other choice's files must be recognized as.
LAYOUTS_OF = {
    "districtwide": {"districtwide_attendance_students", "districtwide_attendance_exceptions"},
    "powerschool": {"powerschool_students", "powerschool_attendance"},
    "edfi": {"districtwide_attendance_students", "edfi_student_school_attendance_event"},
    "map-combined": {"nwea_map_combined_student_assessment"},
    "map-cdf": {
        "nwea_map_cdf_assessment_results",
        "nwea_map_cdf_students_by_school",
        "nwea_map_cdf_class_assignments",
    },
    "iready": {"iready_diagnostic_ela", "iready_diagnostic_math"},
    "star": {"star_reading_v2", "star_math_v2"},
    "oneroster-1.1": {f"oneroster_1_1_{f}" for f in ONEROSTER_FILES}
    | {"districtwide_sis_programs", "districtwide_sis_calendar"},
    "oneroster-1.2": {f"oneroster_1_1_{f}" for f in ONEROSTER_FILES if f != "users"}
    | {"oneroster_1_2_users", "oneroster_1_2_roles", "oneroster_1_2_user_profiles"}
    | {"districtwide_sis_programs", "districtwide_sis_calendar"},
}


def test_the_files_are_in_the_chosen_layouts(
    layout_district: District, request: pytest.FixtureRequest
) -> None:
    """Every landed file was loaded, recognized by the layout its vendor's files have."""
    sis, attendance, state, benchmarks = request.node.callspec.params["layout_district"]
    with layout_district.warehouse() as con:
        loaded = dict(
            con.execute(
                "select distinct source_path, layout from audit.file_loads where status = 'loaded'"
            ).fetchall()
        )
    landing = layout_district.home.root / "landing"
    delivered = {str(p.relative_to(landing)) for p in landing.rglob("*") if p.is_file()}
    assert set(loaded) == delivered
    expected = LAYOUTS_OF[sis] | LAYOUTS_OF[attendance] | STATE_LAYOUTS_OF[state]
    for benchmark in benchmarks.split(","):
        expected |= LAYOUTS_OF[benchmark]
    assert set(loaded.values()) == expected


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_marts_equal_the_truth(layout_district: District, check: str) -> None:
    CHECKS[check](layout_district)
