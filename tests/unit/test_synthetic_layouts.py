"""The generator's vendor layouts: each file is recognized as its layout, in the vendor's header,
and the same seed gives the same district and truth whichever layout is chosen."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from connectors.layout import load_layouts
from connectors.recognize import recognize
from synthetic import GeneratorConfig, generate
from synthetic.__main__ import main
from synthetic.staar import (
    LEVEL_FLAGS,
    STAAR_3_8_BANDS,
    STAAR_EOC_BANDS,
    staar_3_8_file,
    staar_eoc_file,
)
from synthetic.state_layouts import (
    CAASPP_BANDS,
    CMAS_BANDS,
    FAST_BANDS,
    ILEARN_BANDS,
    ILEARN_LEVELS,
    MCA_BANDS,
    MCA_LEVELS,
    caaspp_file,
    cmas_file,
    fast_file,
    fast_header,
    header,
    ilearn_file,
    mca_file,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "layouts"
LAYOUTS = load_layouts()
N_STUDENTS, SEED = 400, 9

#: (attendance, state) -> {file name pattern: layout that must recognize it}
EXPECTED = {
    ("powerschool", "mcas"): {
        "attendance/student.export.text": "powerschool_students",
        "attendance/attendance_2025-2026.export.text": "powerschool_attendance",
        "assessment/MCAS2026_spring_official_03500000.csv": "mcas_student_data",
    },
    ("edfi", "caaspp"): {
        "attendance/attendance_students.csv": "districtwide_attendance_students",
        "attendance/studentSchoolAttendanceEvents_2026.csv": "edfi_student_school_attendance_event",
        f"assessment/{caaspp_file(2026)}": "caaspp_student_score_data",
    },
    ("districtwide", "cmas"): {
        "attendance/attendance_students.csv": "districtwide_attendance_students",
        f"assessment/{cmas_file(2026)}": "cmas_student_data",
    },
    ("districtwide", "ilearn"): {
        f"assessment/{ilearn_file(2026)}": "ilearn_student_data",
    },
    ("districtwide", "fast"): {
        f"assessment/{fast_file('ELA', 3, 2026)}": "fast_student_results",
        f"assessment/{fast_file('ELA', 10, 2026)}": "fast_student_results",
        f"assessment/{fast_file('MATH', 3, 2026)}": "fast_student_results",
        f"assessment/{fast_file('MATH', 8, 2026)}": "fast_student_results",
    },
    ("districtwide", "mca"): {
        f"assessment/{mca_file('ELA', 2026)}": "mca_district_student_results",
        f"assessment/{mca_file('MATH', 2026)}": "mca_district_student_results",
    },
    ("districtwide", "staar"): {
        f"assessment/{staar_3_8_file(2026)}": "staar_3_8_student_data",
        f"assessment/{staar_eoc_file(2026)}": "staar_eoc_student_data",
    },
}


def _generate(root: Path, attendance: str = "districtwide", state: str = "districtwide") -> dict:
    generate(
        GeneratorConfig(
            n_students=N_STUDENTS, seed=SEED, out_dir=root, attendance=attendance, state=state
        )
    )
    return json.loads((root / "truth" / "counts.json").read_text())


@pytest.fixture(scope="module")
def districts(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[Path, dict]]:
    out = {}
    for combination in [("districtwide", "districtwide"), *EXPECTED]:
        root = tmp_path_factory.mktemp("-".join(combination))
        out[combination] = (root, _generate(root, *combination))
    return out


@pytest.mark.parametrize("combination", sorted(EXPECTED), ids="-".join)
def test_each_file_is_recognized_as_its_vendor_layout(districts, combination) -> None:
    root, _ = districts[combination]
    landing = root / "landing"
    for name, layout in EXPECTED[combination].items():
        path = landing / name
        seen = recognize(path, path.name, LAYOUTS)
        assert seen.match is not None and seen.match.layout.layout == layout, name
    written = {str(p.relative_to(landing)) for p in landing.rglob("*") if p.is_file()}
    assert set(EXPECTED[combination]) <= written


@pytest.mark.parametrize(
    ("name", "sample"),
    [
        ("mcas_student_data", "mcas_student_data/MCAS2024_spring_official_09990000.csv"),
        (
            "caaspp_student_score_data",
            "caaspp_student_score_data/"
            "99999990000000_CAASPP_Student_Score_Data_File_TestedStudentScoreData_2024.csv",
        ),
        (
            "cmas_student_data",
            "cmas_student_data/co_csa_cmas23_9999_Math_ELA_District_Student_Data_File.csv",
        ),
        (
            "ilearn_student_data",
            "ilearn_student_data/"
            "Sample_Community_Schools_StudentData_ILEARN_Spring_2024_9999001.csv",
        ),
    ],
)
def test_state_headers_are_the_published_ones(name: str, sample: str) -> None:
    """The header the generator writes is the layout's sample header, column for column."""
    text = (FIXTURES / sample).read_text(encoding="utf-8").splitlines()[0]
    assert header(name) == text.split("^" if "^" in text else ",")


def test_layouts_change_the_files_not_the_district(districts) -> None:
    base = districts[("districtwide", "districtwide")][1]
    for combination in EXPECTED:
        counts = districts[combination][1]
        assert counts["sis"] == base["sis"]
        assert counts["schools"] == base["schools"]
        assert counts["attendance"] == base["attendance"], combination
        assert (
            counts["assessment"]["map_valid_rows_sis"] == base["assessment"]["map_valid_rows_sis"]
        )
    # CAASPP is long like the districtwide file: the same rows, faults and levels.
    caaspp = districts[("edfi", "caaspp")][1]["assessment"]
    assert caaspp == base["assessment"]
    assert districts[("districtwide", "cmas")][1]["assessment"] == base["assessment"]
    assert districts[("districtwide", "ilearn")][1]["assessment"] == base["assessment"]
    assert districts[("districtwide", "fast")][1]["assessment"] == base["assessment"]
    assert districts[("districtwide", "mca")][1]["assessment"] == base["assessment"]
    # MCAS is wide: a row carries both subjects, so its row faults differ; the tests do not.
    mcas = districts[("powerschool", "mcas")][1]["assessment"]
    tested = {
        (r["school_year"], r["school_code"], r["subject"]): r["n_tested"]
        for r in base["assessment"]["state_proficient_by_school_subject"]
    }
    mcas_tested = {
        (r["school_year"], r["school_code"], r["subject"]): r["n_tested"]
        for r in mcas["state_proficient_by_school_subject"]
    }
    assert set(mcas_tested) == set(tested)
    for key, n in tested.items():
        assert abs(mcas_tested[key] - n) <= max(3, 0.03 * n), key


def test_caaspp_scores_keep_each_childs_level(districts) -> None:
    """A CAASPP score lies in its level's band for the grade and subject, and the level is the
    simulated one (1-4 for NM, PM, M, E)."""
    root = districts[("edfi", "caaspp")][0]
    (path,) = (root / "landing" / "assessment").glob("*CAASPP*")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="^"))
    subjects = {"01": "ELA", "02": "MATH"}
    checked = 0
    for row in rows:
        if len(row) != len(header("caaspp_student_score_data")) or None in row:
            continue  # a line with a planted wrong field count
        bands = CAASPP_BANDS[subjects[row["RecordType"]]][int(row["GradeAssessed"])]
        level, score = int(row["AchievementLevels"]), int(row["ScaleScore"])
        low = bands[level - 1]
        high = bands[level] - 1 if level < 4 else bands[4]
        assert low <= score <= high, row["RecordType"]
        assert row["EndofRecord"] == "ZZ"
        checked += 1
    assert checked > 0.99 * len(rows)


def test_cmas_scores_keep_each_childs_proficiency(districts) -> None:
    """A CMAS score lies in its level's band for the grade and subject (levels 1-5), and levels
    4 and 5 (met, exceeded) are exactly the simulated M and E."""
    root = districts[("districtwide", "cmas")][0]
    (path,) = (root / "landing" / "assessment").glob("co_csa_cmas*")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    names = rows[0]
    at = {n: names.index(n) for n in ("Subject", "GradeLevelWhenAssessed", "SS", "PerfLVL")}
    subjects = {"English Language Arts/Literacy": "ELA", "Mathematics": "MATH"}
    levels = set()
    for row in rows[1:]:
        if len(row) != len(names):
            continue  # a line with a planted wrong field count
        bands = CMAS_BANDS[subjects[row[at["Subject"]]]][int(row[at["GradeLevelWhenAssessed"]])]
        level, score = int(row[at["PerfLVL"]]), int(row[at["SS"]])
        assert bands[level - 1] <= score <= (bands[level] - 1 if level < 5 else bands[5])
        levels.add(level)
    assert levels == {1, 2, 3, 4, 5}


def test_ilearn_scores_lie_in_the_published_ranges_of_their_level(districts) -> None:
    """An ILEARN score lies in its level's published range for the test taken (grade 10 takes
    the grade 8 test), and the four named levels are the simulated ones."""
    root = districts[("districtwide", "ilearn")][0]
    (path,) = (root / "landing" / "assessment").glob("*ILEARN*")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    names = rows[0]
    at = {
        n: names.index(n) for n in ("Test name", "Overall scale score", "Overall proficiency level")
    }
    levels = set()
    for row in rows[1:]:
        if len(row) != len(names):
            continue  # a line with a planted wrong field count
        test = row[at["Test name"]]
        subject = "MATH" if "Mathematics" in test else "ELA"
        bands = ILEARN_BANDS[subject][int(test.rsplit(" ", 1)[1])]
        k = ILEARN_LEVELS.index(row[at["Overall proficiency level"]])
        score = int(row[at["Overall scale score"]])
        assert bands[k] <= score <= (bands[k + 1] - 1 if k < 3 else bands[4])
        levels.add(k)
    assert levels == {0, 1, 2, 3}


def test_fast_headers_are_the_published_ones() -> None:
    """The FAST grade 3 mathematics header is the layout sample's, column for column, and every
    FAST file is recognized (each grade's header names its score columns differently)."""
    text = (FIXTURES / "fast_student_results" / "FAST_Math_Grd3_PM3_2324.csv").read_text(
        encoding="utf-8"
    )
    assert ",".join(fast_header("MATH", 3)) == text.splitlines()[0]
    assert [n.strip('"') for n in fast_header("MATH", 3)] == next(csv.reader(text.splitlines()))


def test_fast_files_are_one_per_test_with_scores_in_their_levels_ranges(districts) -> None:
    """One file per subject and grade (grade 10 takes the grade 8 mathematics test); a score
    lies in its level's range for the test, and levels 3-5 are exactly the simulated M and E."""
    root, counts = districts[("districtwide", "fast")]
    files = sorted((root / "landing" / "assessment").glob("FAST_*"))
    assert {p.name for p in files} == {
        fast_file(s, g, 2026)
        for s, grades in (("ELA", (3, 4, 5, 6, 7, 8, 10)), ("MATH", (3, 4, 5, 6, 7, 8)))
        for g in grades
    }
    levels, tested = set(), 0
    for path in files:
        subject = "ELA" if "_ELA_" in path.name else "MATH"
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        names = rows[0]
        score_at = next(i for i, n in enumerate(names) if n.endswith("Scale Score"))
        level_at = next(i for i, n in enumerate(names) if n.endswith("Achievement Level"))
        grade_at = names.index("Tested Grade")
        for row in rows[1:]:
            if len(row) != len(names):
                continue  # a line with a planted wrong field count
            bands = FAST_BANDS[subject][int(row[grade_at])]
            level, score = int(row[level_at]), int(row[score_at])
            assert bands[level - 1] <= score <= (bands[level] - 1 if level < 5 else bands[5])
            assert row[names.index("Test Reason")] == "PM3 2025-26"
            levels.add(level)
            tested += level >= 3
        if subject == "MATH":
            assert {r[grade_at] for r in rows[1:] if len(r) == len(names)} == {
                path.name.split("_")[2].removeprefix("Grd")
            }
    assert levels == {1, 2, 3, 4, 5}
    assert tested > 0


def test_mca_files_keep_the_published_header_and_each_childs_level(districts) -> None:
    """The MCA header is the layout sample's (160 tab-separated columns); a score lies on its
    grade's G01-G99 scale inside its level's band (grade 10 mathematics on grade 11's), levels
    D/P/M/E are the simulated four and every row is a valid score (VS)."""
    sample = FIXTURES / "mca_district_student_results" / "DSR160_9999-01-000_MCA-III_R_2023.txt"
    assert header("mca_district_student_results") == (
        sample.read_text(encoding="utf-8").splitlines()[0].split("\t")
    )
    root = districts[("districtwide", "mca")][0]
    levels = set()
    for subject in ("ELA", "MATH"):
        path = root / "landing" / "assessment" / mca_file(subject, 2026)
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle, delimiter="\t"))
        names = rows[0]
        at = {n: names.index(n) for n in ("GRADE", "TESTCODE", "ACHIEVEMENTLEVEL", "SCORE1")}
        for row in rows[1:]:
            if len(row) != len(names):
                continue  # a line with a planted wrong field count
            bands = MCA_BANDS[subject][int(row[at["GRADE"]])]
            k, score = MCA_LEVELS.index(row[at["ACHIEVEMENTLEVEL"]]), int(row[at["SCORE1"]])
            assert bands[k] <= score <= (bands[k + 1] - 1 if k < 3 else bands[4])
            assert row[at["TESTCODE"]] == "VS"
            levels.add(k)
    assert levels == {0, 1, 2, 3}


def test_staar_files_are_fixed_width_records_in_their_levels_bands(districts) -> None:
    """STAAR 3-8 records are 4,000 characters (RLA and mathematics side by side, grades 3-8),
    end-of-course records 2,000 (grade 10: English II and Algebra I), each ending in TEA's
    period; a scored test's Meets/Approaches/Masters flags are one of the four levels and its
    scale score lies in that level's band; only the planted bad records have another length."""
    root = districts[("districtwide", "staar")][0]
    landing = root / "landing" / "assessment"
    files = {
        staar_3_8_file(2026): (4000, STAAR_3_8_BANDS, ((351, 409, 423), (352, 763, 777))),
        staar_eoc_file(2026): (2000, STAAR_EOC_BANDS, ((291, 367, 389),)),
    }
    levels, bad = set(), 0
    for name, (length, bands, subjects) in files.items():
        raw = (landing / name).read_bytes()
        assert raw.endswith(b".\r\n")
        for line in raw.decode("utf-8").split("\r\n")[:-1]:
            if len(line) != length or not line.endswith("."):
                bad += 1  # a planted record of the wrong length
                continue
            grade = int(line[4:6])
            assert (3 <= grade <= 8) if length == 4000 else grade == 10
            assert line[8] == "0" and line[9:17].isdigit()  # campus: "0" + the state code
            for code_at, scale_at, flags_at in subjects:
                if line[code_at - 1] == " ":
                    continue  # a subject this record does not hold
                assert line[code_at - 1] == "S"
                k = LEVEL_FLAGS.index(line[flags_at - 1 : flags_at + 2])
                score = int(line[scale_at - 1 : scale_at + 3])
                assert bands[k] <= score <= (bands[k + 1] - 1 if k < 3 else bands[4])
                levels.add(k)
    assert levels == {0, 1, 2, 3}
    assert 0 < bad < 10


def test_the_cli_names_the_layouts_and_rejects_an_unknown_one(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--students", "60", "--seed", "1", "--out", str(tmp_path), "--state", "milestones"])
    assert raised.value.code == 2
    with pytest.raises(ValueError, match="benchmark"):
        GeneratorConfig(n_students=60, seed=1, out_dir=tmp_path, benchmarks=("iready",))
