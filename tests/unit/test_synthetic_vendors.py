"""The generator's SIS and benchmark vendor layouts (OneRoster 1.2, MAP CDF, i-Ready, Star): each
file is recognized as its layout in the vendor's header, and the district and its truth do not
depend on the layouts chosen."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from connectors.layout import load_layouts
from connectors.recognize import recognize
from synthetic import GeneratorConfig, generate, iready, map_layouts, oneroster12
from synthetic.state_layouts import header

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "layouts"
LAYOUTS = load_layouts()
N_STUDENTS, SEED = 300, 5

#: File under landing/ -> the layout that must recognize it.
VENDOR_FILES = {
    "sis/users.csv": "oneroster_1_2_users",
    "sis/roles.csv": "oneroster_1_2_roles",
    "sis/userProfiles.csv": "oneroster_1_2_user_profiles",
    "sis/manifest.csv": "oneroster_1_1_manifest",
    "sis/enrollments.csv": "oneroster_1_1_enrollments",
    "assessment/AssessmentResults.csv": "nwea_map_cdf_assessment_results",
    "assessment/StudentsBySchool.csv": "nwea_map_cdf_students_by_school",
    "assessment/ClassAssignments.csv": "nwea_map_cdf_class_assignments",
    "assessment/diagnostic_results_ela_CONFIDENTIAL.csv": "iready_diagnostic_ela",
    "assessment/diagnostic_results_math_CONFIDENTIAL.csv": "iready_diagnostic_math",
    "assessment/SR_v2.csv": "star_reading_v2",
    "assessment/SM_v2.csv": "star_math_v2",
}


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def districts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict]]:
    out = {}
    for name, sis, benchmarks in (
        ("default", "oneroster-1.1", ("map-combined",)),
        ("vendors", "oneroster-1.2", ("map-cdf", "iready", "star")),
    ):
        root = tmp_path_factory.mktemp(name)
        generate(
            GeneratorConfig(
                n_students=N_STUDENTS, seed=SEED, out_dir=root, sis=sis, benchmarks=benchmarks
            )
        )
        out[name] = (root, json.loads((root / "truth" / "counts.json").read_text()))
    return out


def test_each_file_is_recognized_as_its_vendor_layout(districts) -> None:
    landing = districts["vendors"][0] / "landing"
    for name, layout in VENDOR_FILES.items():
        seen = recognize(landing / name, Path(name).name, LAYOUTS)
        assert seen.match is not None and seen.match.layout.layout == layout, name


@pytest.mark.parametrize(
    ("written", "sample"),
    [
        (oneroster12.USERS_COLUMNS, "oneroster_1_2/users.csv"),
        (oneroster12.ROLES_COLUMNS, "oneroster_1_2/roles.csv"),
        (oneroster12.PROFILES_COLUMNS, "oneroster_1_2/userProfiles.csv"),
        (map_layouts.RESULTS_COLUMNS, "nwea_map_cdf_assessment_results/AssessmentResults.csv"),
        (map_layouts.STUDENTS_COLUMNS, "nwea_map_cdf_students_by_school/StudentsBySchool.csv"),
        (map_layouts.CLASSES_COLUMNS, "nwea_map_cdf_class_assignments/ClassAssignments.csv"),
        (iready.header("ELA"), "iready_diagnostic_ela/diagnostic_results_ela.csv"),
        (iready.header("Math"), "iready_diagnostic_math/diagnostic_results_math.csv"),
        (header("star_reading_v2"), "star_reading_v2/SR_v2.csv"),
        (header("star_math_v2"), "star_math_v2/SM_v2.csv"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_headers_are_the_layout_samples(written: list[str], sample: str) -> None:
    """The header the generator writes is the layout's sample header, column for column."""
    with (FIXTURES / sample).open(encoding="utf-8-sig", newline="") as handle:
        assert written == next(csv.reader(handle))


def test_layouts_change_the_files_not_the_district(districts) -> None:
    base, vendors = districts["default"][1], districts["vendors"][1]
    for section in ("sis", "schools", "attendance"):
        assert vendors[section] == base[section], section
    assert vendors["assessment"] == base["assessment"]
    assert base["benchmarks"] == {"results": [], "quarantined_lines": {}}
    assessments = {r["assessment"] for r in vendors["benchmarks"]["results"]}
    assert assessments == {"i-Ready Diagnostic", "Star Reading", "Star Math"}
    for result in vendors["benchmarks"]["results"]:
        assert result["n_events"] > 0 and result["season"] in {"Fall", "Winter", "Spring"}
    quarantined = vendors["benchmarks"]["quarantined_lines"]
    for name in ("diagnostic_results_ela_CONFIDENTIAL.csv", "SR_v2.csv", "SM_v2.csv"):
        files = vendors["files"][name]
        assert quarantined[name] == files["duplicate"] + files["malformed_date"] > 0, name


def test_oneroster_1_2_users_are_guids_with_the_number_in_user_ids(districts) -> None:
    """Every reference to a user is the GUID; userIds holds the 1.1 export's sourcedId."""
    old = _read(districts["default"][0] / "landing" / "sis" / "users.csv")
    sis = districts["vendors"][0] / "landing" / "sis"
    users, roles = _read(sis / "users.csv"), _read(sis / "roles.csv")
    guid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$")
    assert all(guid.match(u["sourcedId"]) for u in users)
    numbers = {re.fullmatch(r"\{district:(\w+)\}", u["userIds"]).group(1) for u in users}
    assert numbers == {u["sourcedId"] for u in old}
    ids = {u["sourcedId"] for u in users}
    assert {r["userSourcedId"] for r in roles} == ids and len(roles) == len(ids)
    assert {r["roleType"] for r in roles} == {"primary"}
    assert {e["userSourcedId"] for e in _read(sis / "enrollments.csv")} <= ids
    assert {d["sourcedId"] for d in _read(sis / "demographics.csv")} <= ids
    manifest = {m["propertyName"]: m["value"] for m in _read(sis / "manifest.csv")}
    assert manifest["oneroster.version"] == "1.2"
    assert manifest["file.roles"] == manifest["file.userProfiles"] == "bulk"


def test_the_cdf_has_every_map_event_and_no_blank_student_id(districts) -> None:
    combined = _read(districts["default"][0] / "landing" / "assessment" / "AssessmentResults.csv")
    assessment = districts["vendors"][0] / "landing" / "assessment"
    cdf = _read(assessment / "AssessmentResults.csv")
    assert len(cdf) == len(combined)
    assert all(r["StudentID"] for r in cdf)
    assert {r["Subject"] for r in cdf} == {"Mathematics", "Language Arts"}
    profiles = {
        (r["TermName"], r["StudentID"], r["SchoolName"])
        for r in _read(assessment / "StudentsBySchool.csv")
    }
    assert {(r["TermName"], r["StudentID"], r["SchoolName"]) for r in cdf} == profiles


def test_map_layouts_and_benchmarks_are_checked(tmp_path: Path) -> None:
    for benchmarks in (("iready",), ("map-combined", "map-cdf"), ("map-cdf", "dibels")):
        with pytest.raises(ValueError, match="benchmark"):
            GeneratorConfig(n_students=60, seed=1, out_dir=tmp_path, benchmarks=benchmarks)
