"""Public sample files of real vendor exports (tests/fixtures/public_samples/, licences there), as
published: `districtwide check` names each one's layout and finds every code in the shipped
crosswalks, and the landing load keeps every line (raw = parsed + rejected) or sets the file
aside whole, naming the line. Their schools and students belong to no district, so identity and
the school crosswalk are not checked here."""

from __future__ import annotations

import csv
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import pytest

from connectors.check import check_paths
from connectors.home import Home
from connectors.load import load_landing
from tests.fixtures.layout_samples import LAYOUTS

pytestmark = pytest.mark.integration

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "public_samples"
EA = "earthmover_edfi_bundles"
EDFI = "Ed-Fi-Data-Standard"
REPO = Path(__file__).resolve().parents[2]

#: file -> (layout, raw rows, rejected lines, why it is set aside or None).
EXPECTED: dict[str, tuple[str, int, int, str | None]] = {
    f"{EA}/ACCESS/sample_anonymized_file_ACCESS.csv": ("wida_access_summative", 32, 0, None),
    f"{EA}/ACCESS/2021_to_2025_sample_anonymized_file_ACCESS.csv": (
        "wida_access_summative",
        40,
        0,
        None,
    ),
    # The earlier Alternate ACCESS file: `State Alternate Assessment AAAS`, no `Tier`.
    f"{EA}/ACCESS/sample_anonymized_file_alternate_Alternate_ACCESS.csv": (
        "wida_access_alternate",
        24,
        0,
        None,
    ),
    # One student's birth date is `01/015/2010`: that line (8 measures) is rejected, named.
    f"{EA}/ACCESS/2021_to_2025_sample_anonymized_file_Alternate_ACCESS.csv": (
        "wida_access_alternate",
        32,
        8,
        None,
    ),
    f"{EA}/CMAS/sample_anonymized_file.csv": ("cmas_student_data", 5, 0, None),
    f"{EA}/Dibels_8_Benchmark/sample_anonymized_file.csv": (
        "dibels8_mclass_benchmark",
        30,
        0,
        None,
    ),
    # DIBELS Next (mCLASS:DIBELS, 2022-23): a row per measure scored, no percentiles.
    f"{EA}/Dibels_Next_Benchmark/sample_anonymized_file.csv": (
        "dibels_next_mclass_benchmark",
        23,
        0,
        None,
    ),
    # mCLASS IDEL (Spanish, 2022-23): DIBELS Next's columns, the recommendation as headline.
    f"{EA}/IDEL/sample_anonymized_file.csv": ("mclass_idel_benchmark", 17, 0, None),
    # mCLASS Lectura (Spanish, 2023-24): DIBELS 8's columns with local percentiles.
    f"{EA}/Lectura/sample_anonymized_file.csv": ("mclass_lectura_benchmark", 30, 0, None),
    f"{EA}/IN_ILEARN/ilearn_sample_data.csv": ("ilearn_student_data", 5, 0, None),
    # ILEARN Checkpoints (Indiana's through-year interim, 2025): same export, its test names
    # ("... Grade 6 Checkpoint 1: Analyzing Literature, ...") left unmapped on purpose.
    f"{EA}/IN_ILEARN/ilearn_checkpoint_sample_data.csv": ("ilearn_student_data", 2, 0, None),
    # MAP Reading Fluency, fall 2023-24: nine students, a row per domain scored and the screener.
    f"{EA}/MAP_Fluency/sample_anonymized_file.csv": ("nwea_map_reading_fluency", 61, 0, None),
    # Its last line is one field short and has no line ending: a file cut short.
    f"{EA}/MAP_Growth/sample_anonymized_file.csv": (
        "nwea_map_cdf_assessment_results",
        6,
        1,
        "line 8: truncated: the last line is short of fields and no line ending",
    ),
    f"{EA}/STAR/SR_sample_anonymized_file.csv": ("star_reading_v2", 5, 0, None),
    # Missouri MAP 2024-25, tab-delimited: MAP, MAP-A and EOC rows, birth dates as `50916`.
    f"{EA}/Missouri_Assessment_Program/sample_anonymized_file.txt": (
        "missouri_map_student_data",
        8,
        0,
        None,
    ),
    # South Carolina EOCEP, fall 2023: one row per test, scores 0-100 with their letter grades.
    f"{EA}/EOCEP/sample_anonymized_file_EOCEP.csv": ("sc_eocep_student_data", 5, 0, None),
    # South Carolina SC READY, spring 2024 state format: 2,135 columns, ELA and mathematics taken.
    f"{EA}/SC_READY/sample_anonymized_file.csv": ("sc_ready_student_data", 10, 0, None),
    # Wisconsin Forward 2024-25: one row per student, a row per content area taken (11 of 20).
    f"{EA}/WI_Forward/sample_anonymized_file.csv": ("wi_forward_student_data", 11, 0, None),
    f"{EA}/i-Ready/sample_anonymized_file_ela.csv": ("iready_diagnostic_ela", 40, 0, None),
    f"{EA}/i-Ready/sample_anonymized_file_math.csv": ("iready_diagnostic_math", 25, 0, None),
    # FastBridge screening reports (2022-23 to 2025-26): a row per screening period tested.
    f"{EA}/FastBridgeCAT/sample_anonymized_aReading.csv": ("fastbridge_cat_screening", 3, 0, None),
    f"{EA}/FastBridgeCAT/sample_anonymized_aMath.csv": ("fastbridge_cat_screening", 7, 0, None),
    f"{EA}/FastBridge_CBMreading/sample_anonymized_file_fastbridge_cbmreading.csv": (
        "fastbridge_cbmreading_screening",
        15,
        0,
        None,
    ),
    # earlyReading English: its composite, not its subtests (its CBMR-English block among them).
    f"{EA}/FastBridge_English/sample_anonymized_file.csv": (
        "fastbridge_early_reading_screening",
        35,
        0,
        None,
    ),
    f"{EA}/FastBridge_Math/sample_anonymized_file.csv": (
        "fastbridge_early_math_screening",
        30,
        0,
        None,
    ),
    f"{EA}/FastBridge_AUTOreading/sample_anonymized_file_fastbridge_autoreading.csv": (
        "fastbridge_autoreading_screening",
        5,
        0,
        None,
    ),
    f"{EA}/FastBridge_CBMmath/sample_anonymized_file_cbmm_cap.csv": (
        "fastbridge_cbmmath_cap_screening",
        6,
        0,
        None,
    ),
    # STAAR Interim (2022-23): an interim, read as a benchmark; a row per student test.
    f"{EA}/STAAR_Interim/sample_anonymized_file.csv": ("staar_interim_student_data", 5, 0, None),
    # Fixed-width, no header: ten grade 3 records, RLA and mathematics each.
    f"{EA}/STAAR_Summative/sample_anonymized_file.txt": ("staar_3_8_student_data", 20, 0, None),
    # Ed-Fi's XML interchange (Grand Bend sample data): 21 of its 1,917 records, one a record.
    f"{EDFI}/Samples/StudentSchoolAttendance_excerpt.xml": (
        "edfi_student_school_attendance_event",
        21,
        0,
        None,
    ),
}
#: Codes a sample holds that the shipped crosswalks leave to the district, so their rows are
#: quarantined until it maps them.
UNMAPPED = {
    # An interim checkpoint is not a state summative result: mapped, it would count in state
    # proficiency, so its rows are quarantined as an unmapped subject and the steward decides.
    f"{EA}/IN_ILEARN/ilearn_checkpoint_sample_data.csv": {
        "Subject": [
            f"ILEARN ENGLISH/LANGUAGE ARTS GRADE {grade} CHECKPOINT 1: ANALYZING LITERATURE, "
            "LANGUAGE & VOCABULARY"
            for grade in (3, 6)
        ]
    },
    # Ed-Fi's `Partial`: part of a day; whether it counts as absent is a local rule.
    f"{EDFI}/Samples/StudentSchoolAttendance_excerpt.xml": {
        "AttCode": ["URI://ED-FI.ORG/ATTENDANCEEVENTCATEGORYDESCRIPTOR#PARTIAL"]
    },
}
#: Real files of other kinds that no layout may read, and the words their refusal gives.
REFUSED = {
    # Riverside's Iowa Assessments export carries Student ID and 504, IEP, FRL, ELL flags among
    # its 171 columns: before sis_program_flags had max_columns it was read as a SIS program
    # extract (44 rows of program flags from an assessment file).
    f"{EA}/Iowa/sample_anonymized_file.csv": (
        "sis_program_flags lacks (files of at most 60 columns; this one has 171"
    ),
    # Ed-Fi's descriptor interchange: XML records, but of descriptors, not events.
    f"{EDFI}/Descriptors/AttendanceEventCategoryDescriptor.xml": (
        "line 1: no layout matches its header (4 columns)"
    ),
}
#: The bundle's own CSV conversion of the STAAR file: a reference (test_staar_layouts), not a
#: delivery of any system.
REFERENCES = {f"{EA}/STAAR_Summative/sample_anonymized_file.csv"}

#: Microsoft School Data Sync's own "SDS v2.1" CSV format: OneRoster's file names and some of its
#: columns, but no status or dateLastModified, classes without classType, enrollments without
#: sourcedId, users without role: not OneRoster 1.1 or 1.2, so no OneRoster layout reads it.
SDS = "O365-EDU-Tools/SDS_v2.1"
NOT_READ = {
    f"{SDS}/{name}.csv"
    for name in (
        "academicSessions",
        "classes",
        "courses",
        "demographics",
        "enrollments",
        "orgs",
        "relationships",
        "roles",
        "userFlags",
    )
}

#: Files that end without a line ending after their complete last line (loaded, with a warning).
NO_FINAL_LINE_ENDING = {
    f"{EA}/Lectura/sample_anonymized_file.csv",
    f"{EA}/CMAS/sample_anonymized_file.csv",
    f"{EA}/IN_ILEARN/ilearn_sample_data.csv",
    f"{EA}/IN_ILEARN/ilearn_checkpoint_sample_data.csv",
    f"{EA}/FastBridge_AUTOreading/sample_anonymized_file_fastbridge_autoreading.csv",
}


def test_every_public_sample_is_kept_with_its_licence() -> None:
    found = {
        p.relative_to(SAMPLES).as_posix()
        for p in SAMPLES.rglob("*")
        if p.is_file() and p.suffix in (".csv", ".txt", ".xml")
    }
    assert found == set(EXPECTED) | REFERENCES | NOT_READ | set(REFUSED)
    assert (SAMPLES / EA / "LICENSE").read_text().lstrip().startswith("Apache License")
    assert (SAMPLES / EDFI / "LICENSE").read_text().lstrip().startswith("Apache License")
    assert (SAMPLES / "O365-EDU-Tools" / "LICENSE").read_text().startswith("The MIT License")


def test_sds_v2_1_is_not_read_as_oneroster() -> None:
    """Before OneRoster's layouts required status and dateLastModified in the header (the CSV
    binding's every file has them), SDS's classes.csv was read as OneRoster courses and its
    orgs, courses and sessions loaded beside users that nothing read."""
    reports = check_paths([SAMPLES / SDS], LAYOUTS)
    assert len(reports) == len(NOT_READ)
    assert [(r.source_path, r.layout) for r in reports if r.layout] == []
    assert all(
        "lacks status, dateLastModified" in (r.problem or "")
        for r in reports
        if r.source_path in ("classes.csv", "orgs.csv", "courses.csv")
    )


def test_check_names_the_layout_of_every_public_sample_and_maps_its_codes() -> None:
    reports = {r.source_path: r for r in check_paths([SAMPLES], LAYOUTS)}
    # Every file kept here is a sample with its expected layout, the bundle's reference
    # conversion or a file no shipped layout is meant to read; licences and the README aside.
    kept = {
        p.relative_to(SAMPLES).as_posix()
        for p in SAMPLES.rglob("*")
        if p.is_file() and p.name not in ("LICENSE", "README.md")
    }
    assert kept == set(EXPECTED) | REFERENCES | NOT_READ | set(REFUSED)
    unread = {
        name
        for name, r in reports.items()
        if r.layout is None and Path(name).suffix in (".csv", ".txt", ".xml")
    }
    assert unread - REFERENCES == NOT_READ | set(REFUSED)
    for name, words in REFUSED.items():
        assert words in (reports[name].problem or ""), (name, reports[name].problem)
    for name, (layout, rows, rejected, set_aside) in EXPECTED.items():
        report = reports[name]
        assert (report.layout, report.rows, report.rejected) == (layout, rows, rejected), name
        if set_aside:
            assert set_aside in (report.problem or ""), name
        else:
            assert report.problem is None, (name, report.problem)
        # Subjects, levels, grades, not-tested and attendance codes: in the shipped crosswalks.
        assert report.unmapped == UNMAPPED.get(name, {}), (name, report.unmapped)
        ending = [w for w in report.warnings if "no line ending after the last line" in w]
        assert bool(ending) == (name in NO_FINAL_LINE_ENDING), name


def test_the_landing_load_keeps_every_line_of_the_public_samples(tmp_path: Path) -> None:
    """Loaded as delivered: each file loaded is every one of its data lines as a raw row or a
    reject; the one cut short is set aside whole, archived, with nothing in raw."""
    home = Home(tmp_path).ensure()
    shutil.copytree(SAMPLES, home.landing / "samples")
    for path in (home.landing / "samples").rglob("*"):
        reference = path.relative_to(home.landing / "samples").as_posix() in REFERENCES | NOT_READ
        if path.is_file() and (path.suffix not in (".csv", ".txt", ".xml") or reference):
            path.unlink()

    run = load_landing(home, workers=1)

    refused = {u["source_path"].removeprefix("samples/"): u["error"] for u in run.unrecognized}
    assert set(refused) == set(REFUSED)
    for name, words in REFUSED.items():
        assert words in refused[name], name
    audit = {
        row[0].removeprefix("samples/"): row[1:]
        for row in duckdb.sql(
            "select source_path, status, layout, rows_total, rows_parsed, rows_rejected, "
            f"warning from read_parquet('{home.audit}/2*.parquet')"
        ).fetchall()
    }
    assert set(audit) == set(EXPECTED) | set(REFUSED)
    assert {audit[name][0] for name in REFUSED} == {"unrecognized"}
    for name, (layout, rows, rejected, set_aside) in EXPECTED.items():
        status, found_layout, total, parsed, rejects, warning = audit[name]
        assert found_layout == layout, name
        if set_aside:
            assert status == "failed", name
            assert not list(home.raw.rglob(f"*{name.rsplit('/', 1)[-1]}*")), name
            continue
        # Rows are per measure (unpivoted): raw = parsed + rejected, as check counted them.
        assert (status, total, parsed, rejects) == ("loaded", rows + rejected, rows, rejected)
        ending = "no line ending after the last line" in (warning or "")
        assert ending == (name in NO_FINAL_LINE_ENDING), name


# Shapes seen in the scrubbed real files of github PowerSchool-ETL-Assistant-Tool/
# ETL-Assistant-Tool (commit f81d13a3, connector_etl/*/src/test/resource/sample_vendor_data/): that
# repository has no licence file, so its rows are not copied; each test below rebuilds the shape
# from this project's synthetic layout samples (tests/fixtures/layouts/).
LAYOUT_SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "layouts"


def _rows(path: Path, delimiter: str = ",") -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    return path


def test_a_caaspp_file_saved_again_in_a_spreadsheet_reads_as_the_original(tmp_path: Path) -> None:
    """Four of 22 real CAASPP files were comma re-saves of TOMS' caret file, six with the record
    type's leading zero gone (`1` for `01`): the same layout, rows and subjects."""
    original = next((LAYOUT_SAMPLES / "caaspp_student_score_data").glob("*.csv"))
    rows = _rows(original, "^")
    record_type = rows[0].index("RecordType")
    for row in rows[1:]:
        row[record_type] = row[record_type].lstrip("0")
    assert {"1", "2"} <= {row[record_type] for row in rows[1:]}
    folder = tmp_path / "landing" / "assessment"
    folder.mkdir(parents=True)
    shutil.copy(original, folder / original.name)
    _write(folder / original.name.replace("_2024.csv", "_2024_resaved.csv"), rows)

    reports = {Path(r.source_path).name: r for r in check_paths([folder], LAYOUTS)}
    caret, comma = reports[original.name], reports[original.name.replace(".csv", "_resaved.csv")]
    assert (caret.delimiter, comma.delimiter) == ("^", ",")
    assert comma.layout == caret.layout == "caaspp_student_score_data"
    # The same codes as the original, zeros back: 01 and 02 mapped (03, 06, 09 are not mapped in
    # the shipped crosswalk, in either file).
    assert (comma.rows, comma.rejected, comma.unmapped) == (caret.rows, 0, caret.unmapped)
    assert caret.unmapped == {"Subject": ["03", "06", "09"]}

    home = Home(tmp_path).ensure()
    load_landing(home, workers=1)
    subjects = duckdb.sql(
        'select _source_file like \'%resaved%\', list(distinct "Subject" order by "Subject") '
        f"from read_parquet('{home.raw}/assessment/state_results/*.parquet') group by all "
        "order by all"
    ).fetchall()
    assert len(subjects) == 2 and subjects[0][1] == subjects[1][1], subjects
    assert {"01", "02"} <= set(subjects[1][1])


def test_map_language_arts_is_checked_as_staging_maps_it(tmp_path: Path) -> None:
    """MAP's Subject `Language Arts` (Reading and Language Usage, told apart by Course) is mapped
    by the map_subjects seed, as staging maps it; a subject the seed lacks is still named."""
    sample = next((LAYOUT_SAMPLES / "nwea_map_cdf_assessment_results").glob("*.csv"))
    rows = _rows(sample)
    subject = rows[0].index("Subject")
    assert "Language Arts" in {row[subject] for row in rows[1:]}
    shutil.copy(sample, tmp_path / "AssessmentResults.csv")
    rows[1][subject] = "Social Studies"
    (tmp_path / "other").mkdir()
    _write(tmp_path / "other" / "AssessmentResults.csv", rows)

    reports = {r.source_path: r for r in check_paths([tmp_path], LAYOUTS)}
    assert reports["AssessmentResults.csv"].unmapped == {}
    assert reports["other/AssessmentResults.csv"].unmapped == {"Subject": ["SOCIAL STUDIES"]}


def test_fast_end_of_course_subjects_are_mapped(tmp_path: Path) -> None:
    """A B.E.S.T. Algebra 1 or Geometry EOC export (the FAST layout's ALGEBRA1 and GEOMETRY
    column groups) gives subjects the shipped crosswalk maps to Mathematics."""
    sample = next((LAYOUT_SAMPLES / "fast_student_results").glob("*.csv"))
    for course, name in (("Algebra 1", "Scrub_Alg.csv"), ("Geometry", "Scrub_Geo.csv")):
        rows = _rows(sample)
        rows[0] = [c.replace("FAST Grade 3 Mathematics", f"B.E.S.T. {course} EOC") for c in rows[0]]
        _write(tmp_path / name, rows)

    reports = check_paths([tmp_path], LAYOUTS)
    assert {(r.layout, r.rejected) for r in reports} == {("fast_student_results", 0)}
    assert [r.unmapped for r in reports] == [{}, {}]


def test_a_spring_2021_mcas_file_with_lowincome_reads_as_the_later_version(tmp_path: Path) -> None:
    """Two of the real spring 2021 MCAS files carry `lowincome` (DESE's measure from 2021-22)
    where a third carries `ecodis`: each is read by the version whose column it has. Science
    (STE) results map to Science on the same levels as ELA and mathematics."""
    sample = next((LAYOUT_SAMPLES / "mcas_student_data").glob("*.csv"))
    rows = _rows(sample)
    year = rows[0].index("adminyear")
    for row in rows[1:]:
        row[year] = "2021"
    _write(tmp_path / sample.name.replace("2024", "2021"), rows)
    shutil.copy(sample, tmp_path / sample.name)

    reports = check_paths([tmp_path], LAYOUTS)
    assert {(r.layout, r.rejected, r.problem) for r in reports} == {("mcas_student_data", 0, None)}
    assert [r.unmapped for r in reports] == [{}, {}]


@pytest.mark.parametrize("layout", ["wida_access_summative", "wida_access_alternate"])
def test_an_access_file_of_2017_to_2021_names_its_scores_the_older_way(
    tmp_path: Path, layout: str
) -> None:
    """DRC's ACCESS student files before 2021-22 say `Listening Scale Score` and `Composite
    (Overall) Proficiency Level` where later ones say `Scale Score - Listening`: the same rows."""
    sample = next((LAYOUT_SAMPLES / layout).glob("*.csv"))
    rows = _rows(sample)
    older = []
    for name in rows[0]:
        kind, _, domain = name.partition(" - ")
        if kind in ("Scale Score", "Proficiency Level") and domain:
            name = f"{'Composite (Overall)' if domain == 'Overall' else domain} {kind}"
        older.append(name)
    assert older != rows[0]
    shutil.copy(sample, tmp_path / "current.csv")
    _write(tmp_path / "older.csv", [older, *rows[1:]])

    reports = {r.source_path: r for r in check_paths([tmp_path], LAYOUTS)}
    current, before = reports["current.csv"], reports["older.csv"]
    assert (before.layout, before.rows, before.rejected) == (layout, current.rows, 0)
    assert before.rows > len(rows) - 1  # one row per domain and composite
    assert before.unmapped == current.unmapped == {}


def test_star_dates_saved_in_a_spreadsheet_read_as_their_dates(tmp_path: Path) -> None:
    """Star's ISO timestamps become `10/20/23 9:38 AM` or `9/14/23` once a district saves the
    export in a spreadsheet (real Star v2 files of 2019-2024): the same dates, ISO in raw."""
    sample = next((LAYOUT_SAMPLES / "star_math_v2").glob("*.csv"))
    rows = _rows(sample)
    test_date, birth = rows[0].index("CompletedDateLocal"), rows[0].index("BirthDate")
    for row, (taken, born) in zip(
        rows[1:],
        [("10/20/23 9:38 AM", "12/7/07 12:00 AM"), ("9/14/23", "3/14/2008"), ("", "")],
        strict=True,
    ):
        row[test_date], row[birth] = taken or row[test_date], born or row[birth]
    home = Home(tmp_path).ensure()
    _write(home.landing / "SM_v2.csv", rows)

    run = load_landing(home, {"assessment__benchmark_results"})

    result = run.tables["assessment__benchmark_results"]
    assert (result.failed, result.rows_rejected) == ([], 0)
    dates = duckdb.sql(
        'select distinct "TestDate", "BirthDate" from read_parquet('
        f"'{home.raw}/assessment/benchmark_results/*.parquet') order by all"
    ).fetchall()
    assert ("2023-10-20", "2007-12-07") in dates and ("2023-09-14", "2008-03-14") in dates
    assert all(len(d) == 10 for pair in dates for d in pair), dates


# Ed-Fi's own sample data (Ed-Fi-Alliance-OSS/Ed-Fi-Data-Standard, Apache-2.0): the XML bulk
# interchange that the Grand Bend sample district is published in.
GRAND_BEND = SAMPLES / EDFI / "Samples" / "StudentSchoolAttendance_excerpt.xml"


def test_an_edfi_xml_interchange_lands_as_the_api_records_would(tmp_path: Path) -> None:
    """Each StudentSchoolAttendanceEvent element is a raw row, named by its element paths as the
    API's JSON is by its keys: the same student, school, date, descriptor URI and reason."""
    home = Home(tmp_path).ensure()
    shutil.copy(GRAND_BEND, home.landing / GRAND_BEND.name)

    run = load_landing(home, workers=1)

    result = run.tables["attendance__exceptions"]
    assert (result.failed, result.rows_parsed, result.rows_rejected) == ([], 21, 0)
    rows = duckdb.sql(
        'select "_line_number", "StuNum", "SchoolCode", "AbsenceDate", "AttCode", "Comment", '
        f"\"Minutes\" from read_parquet('{home.raw}/attendance/exceptions/*.parquet') order by 1"
    ).fetchall()
    # Record N is line N + 1 of the working copy, as for JSON.
    assert [r[0] for r in rows] == list(range(2, 23))
    text = GRAND_BEND.read_text(encoding="utf-8")
    assert [r[4] for r in rows] == re.findall(r"<AttendanceEventCategory>([^<]*)<", text)
    assert [r[3] for r in rows] == re.findall(r"<EventDate>([^<]*)<", text)
    assert rows[0][1:6] == (
        "604822",
        "255901001",
        "2021-08-31",
        "uri://ed-fi.org/AttendanceEventCategoryDescriptor#Excused Absence",
        "Absent excused",
    )
    # SchoolAttendanceDuration (minutes), on the records that have it.
    assert [r[6] for r in rows if r[6]] == re.findall(r"<SchoolAttendanceDuration>(\d+)<", text)
    assert len(re.findall("<StudentSchoolAttendanceEvent>", text)) == len(rows)


def test_a_cut_xml_interchange_is_set_aside_naming_line_and_column(tmp_path: Path) -> None:
    home = Home(tmp_path).ensure()
    data = GRAND_BEND.read_bytes()
    (home.landing / "cut.xml").write_bytes(data[: len(data) // 2])

    run = load_landing(home, workers=1)

    [failed] = run.tables["attendance__exceptions"].failed
    assert re.search(r"cut\.xml: line \d+, column \d+: not well-formed XML", str(failed)), failed
    assert not list(home.raw.rglob("*cut.xml*"))


def test_the_standard_edfi_attendance_categories_are_mapped_except_partial() -> None:
    """Every AttendanceEventCategoryDescriptor of Ed-Fi Data Standard 5.2 maps in the shipped
    crosswalk but `Partial`, which the district maps (a part day may or may not count absent)."""
    tree = ET.parse(SAMPLES / EDFI / "Descriptors" / "AttendanceEventCategoryDescriptor.xml")
    codes = {
        f"{e.findtext('{*}Namespace')}#{e.findtext('{*}CodeValue')}".upper() for e in tree.getroot()
    }
    with (REPO / "settings" / "crosswalks" / "attendance_codes.csv").open(encoding="utf-8") as f:
        mapped = {row["local_code"] for row in csv.DictReader(f)}
    assert len(codes) == 7
    assert codes - mapped == {"URI://ED-FI.ORG/ATTENDANCEEVENTCATEGORYDESCRIPTOR#PARTIAL"}


# Shapes of oat-sa/oneroster-import (commit 2bb7c6de, data/samples/OneRosterv1p1BaseCSV/;
# GPL-2.0, so rebuilt from this project's OneRoster sample): a bulk export whose rows leave status
# and dateLastModified blank (OneRoster 1.1 allows it in bulk), users.csv with enabledUser
# before status and vendor `ext_` columns, a dateLastModified with a space for the `T`; and
# academicSessions.csv and demographics.csv in OneRoster 1.0's header (no schoolYear;
# userSourcedId and birthdate), which no layout reads.
ONEROSTER = LAYOUT_SAMPLES / "oneroster_1_1"


def test_oneroster_bulk_rows_with_blank_status_load_and_1_0_headers_are_named(
    tmp_path: Path,
) -> None:
    home = Home(tmp_path).ensure()
    folder = home.landing / "sis"
    folder.mkdir()
    users = _rows(ONEROSTER / "users.csv")
    order = [users[0].index(n) for n in ("enabledUser", "sourcedId", "status")]
    order += [i for i in range(len(users[0])) if i not in order]
    reordered = [[row[i] for i in order] + ["", ""] for row in users]
    reordered[0][-2:] = ["ext_vendor_databaseId", "ext_vendor_grade"]
    status, modified = reordered[0].index("status"), reordered[0].index("dateLastModified")
    for row in reordered[1:]:
        row[status] = row[modified] = ""
    _write(folder / "users.csv", reordered)
    orgs = _rows(ONEROSTER / "orgs.csv")
    modified = orgs[0].index("dateLastModified")
    for row in orgs[1:]:
        row[modified] = "2017-05-06 08:01:05"
    _write(folder / "orgs.csv", orgs)
    sessions = _rows(ONEROSTER / "academicSessions.csv")
    year = sessions[0].index("schoolYear")
    _write(folder / "academicSessions.csv", [r[:year] + r[year + 1 :] for r in sessions])
    demographics = _rows(ONEROSTER / "demographics.csv")
    demographics[0][0:4] = ["userSourcedId", "status", "dateLastModified", "birthdate"]
    _write(folder / "demographics.csv", demographics)

    reports = {r.source_path: r for r in check_paths([folder], LAYOUTS)}
    run = load_landing(home, workers=1)

    assert (reports["users.csv"].layout, reports["users.csv"].rejected) == (
        "oneroster_1_1_users",
        0,
    )
    assert (reports["orgs.csv"].layout, reports["orgs.csv"].rejected) == ("oneroster_1_1_orgs", 0)
    assert run.tables["sis__users"].rows_parsed == len(users) - 1
    assert run.tables["sis__orgs"].rows_parsed == len(orgs) - 1
    blank = duckdb.sql(
        f"select count(*) from read_parquet('{home.raw}/sis/users/*.parquet') "
        "where status is null and dateLastModified is null"
    ).fetchall()
    assert blank == [(len(users) - 1,)]
    refused = {u["source_path"]: u["error"] for u in run.unrecognized}
    assert "oneroster_1_1_academic_sessions lacks schoolYear" in refused["sis/academicSessions.csv"]
    assert "oneroster_1_1_demographics lacks sourcedId" in refused["sis/demographics.csv"]


# The shape of NWEA's own pre-2015 Comprehensive Data File training data (github
# almartin82/mapvizieR, commit a6455e03, data-raw/CombinedAssessmentResults.csv and
# Spring2012AssessmentResults.csv: 9,091 and 2,050 rows, all read, none rejected; its licence
# file grants nothing, so the shape is rebuilt from this project's MAP sample).
PRE_2015_MAP = [
    *("TermName", "StudentID", "SchoolName", "MeasurementScale", "Discipline"),
    *("GrowthMeasureYN", "TestType", "TestName", "TestID", "TestStartDate"),
    *("TestDurationMinutes", "TestRITScore", "TestStandardError", "TestPercentile"),
    *("TypicalFallToFallGrowth", "TypicalSpringToSpringGrowth", "TypicalFallToSpringGrowth"),
    *("TypicalFallToWinterGrowth", "RITtoReadingScore", "RITtoReadingMin", "RITtoReadingMax"),
    *("TestStartTime", "PercentCorrect", "ProjectedProficiency"),
]
#: 2015+ (Subject, Course) -> pre-2015 (Discipline, MeasurementScale), as the two files name them.
PRE_2015_SUBJECTS = {
    ("Language Arts", "Reading"): ("Reading", "Reading"),
    ("Language Arts", "Language Usage"): ("Language", "Language Usage"),
    ("Mathematics", "Math K-12"): ("Mathematics", "Mathematics"),
}


def test_a_map_cdf_of_before_2015_reads_with_discipline_and_measurement_scale(
    tmp_path: Path,
) -> None:
    """Discipline and MeasurementScale stand for Subject and Course; M/D/YYYY dates and
    `9:00:00 AM` times, no DistrictName or AchievementQuintile: every row read and mapped."""
    sample = next((LAYOUT_SAMPLES / "nwea_map_cdf_assessment_results").glob("*.csv"))
    rows = _rows(sample)
    at = {name: i for i, name in enumerate(rows[0])}
    older = [PRE_2015_MAP]
    for row in rows[1:]:
        discipline, scale = PRE_2015_SUBJECTS[(row[at["Subject"]], row[at["Course"]])]
        month, day, year = row[at["TestStartDate"]].split("/")
        values = {
            "Discipline": discipline,
            "MeasurementScale": scale,
            "TestStartDate": f"{int(month)}/{int(day)}/{year}",
            "TestStartTime": "9:00:00 AM",
        }
        older.append([values.get(name, row[at[name]] if name in at else "") for name in older[0]])
    _write(tmp_path / "AssessmentResults.csv", older)

    [report] = check_paths([tmp_path], LAYOUTS)

    assert (report.layout, report.rows, report.rejected, report.problem) == (
        "nwea_map_cdf_assessment_results",
        len(rows) - 1,
        0,
        None,
    )
    assert report.unmapped == {}


def test_iready_exports_without_norming_window_or_domain_placements_read(tmp_path: Path) -> None:
    """Of ~70 real i-Ready Diagnostic Results files of 2019-2025 (PowerSchool ETL Assistant
    samples) 3 had a Norming Window column, and the 2022-23 Winter files gave each domain's
    Placement but not its Relative Placement: before, all but those 3 were unrecognized."""
    sample = next((LAYOUT_SAMPLES / "iready_diagnostic_math").glob("*.csv"))
    rows = _rows(sample)
    keep = [
        i
        for i, name in enumerate(rows[0])
        if name != "Norming Window"
        and not (name.endswith(" Relative Placement") and not name.startswith("Overall"))
    ]
    assert len(keep) < len(rows[0]) - 4
    _write(tmp_path / "2022-23 Winter.csv", [[row[i] for i in keep] for row in rows])
    shutil.copy(sample, tmp_path / sample.name)

    reports = {r.source_path: r for r in check_paths([tmp_path], LAYOUTS)}

    older, current = reports["2022-23 Winter.csv"], reports[sample.name]
    assert (older.layout, older.rejected, older.problem) == ("iready_diagnostic_math", 0, None)
    assert older.rows == current.rows == (len(rows) - 1) * 5  # overall and four domains
    assert older.unmapped == current.unmapped == {}


def test_an_alternate_access_file_of_2016_to_2021_asks_the_older_question(tmp_path: Path) -> None:
    """DRC's Alternate ACCESS student files of 2016-17 to 2020-21 (three real ones among the
    PowerSchool samples) have no `State Alternate Assessment participation` column: they ask
    `Does (or will) the student participate in any state alternate assessment(s)?`, and name
    the comprehension score `Comprehension Score`. Before, they were unrecognized."""
    sample = next((LAYOUT_SAMPLES / "wida_access_alternate").glob("*.csv"))
    rows = _rows(sample)
    renamed = {
        "State Alternate Assessment participation": (
            "Does (or will) the student participate in any state alternate assessment(s)?"
        ),
        "Scale Score - Comprehension": "Comprehension Score",
    }
    assert set(renamed) <= set(rows[0])
    shutil.copy(sample, tmp_path / "current.csv")
    _write(tmp_path / "older.csv", [[renamed.get(n, n) for n in rows[0]], *rows[1:]])

    reports = {r.source_path: r for r in check_paths([tmp_path], LAYOUTS)}

    current, older = reports["current.csv"], reports["older.csv"]
    assert (older.layout, older.rows, older.rejected) == ("wida_access_alternate", current.rows, 0)
    assert older.unmapped == current.unmapped == {}


@pytest.mark.parametrize(
    "layout", ["nwea_map_cdf_assessment_results", "nwea_map_combined_student_assessment"]
)
def test_a_map_export_with_student_number_and_grade_0_reads(tmp_path: Path, layout: str) -> None:
    """5 of 28 real MAP files (PowerSchool samples, 2019-2023) head the district's ID
    `Student_Number`, and one combined export gives kindergarten as grade `0`: before, the
    first were unrecognized and the second's rows unmapped."""
    sample = next((LAYOUT_SAMPLES / layout).glob("*.csv"))
    rows = _rows(sample)
    rows[0] = ["Student_Number" if n == "StudentID" else n for n in rows[0]]
    if "Grade" in rows[0]:
        rows[1][rows[0].index("Grade")] = "0"
    _write(tmp_path / "AssessmentResults.csv", rows)

    [report] = check_paths([tmp_path], LAYOUTS)

    assert (report.layout, report.rows, report.rejected) == (layout, len(rows) - 1, 0)
    assert report.unmapped == {}


def test_a_star_enterprise_export_reads_each_activity_type(tmp_path: Path) -> None:
    """19 of 69 real Star files (PowerSchool samples, 2017-18 to 2023-24) are Renaissance's
    "Enterprise Assessment" export: spaced names (`Activity Type`, `Activity Completed Date`,
    `Screening Window Name`) and one file for Star Reading, Math and Early Literacy, told apart
    by `Activity Type`. Before, all 19 were unrecognized. Raw keeps the activity type as
    delivered; staging names the assessment (test_assessment_conformed)."""
    sample = next((LAYOUT_SAMPLES / "star_enterprise_assessment").glob("*.csv"))
    rows = _rows(sample)
    home = Home(tmp_path).ensure()
    shutil.copy(sample, home.landing / sample.name)

    [report] = check_paths([home.landing], LAYOUTS)
    run = load_landing(home, {"assessment__benchmark_results"})

    assert (report.layout, report.rows, report.rejected) == (
        "star_enterprise_assessment",
        len(rows) - 1,
        0,
    )
    result = run.tables["assessment__benchmark_results"]
    assert (result.failed, result.rows_rejected) == ([], 0)
    staged = duckdb.sql(
        'select "Assessment", "Subject", "TestDate", "BirthDate", "SchoolYear" from read_parquet('
        f"'{home.raw}/assessment/benchmark_results/*.parquet') order by _line_number"
    ).fetchall()
    activity = rows[0].index("Activity Type")
    assert [(a, s) for a, s, *_ in staged] == [(r[activity], r[activity]) for r in rows[1:]]
    # `2025-09-18 13:28:05.000`, `9/19/2025` and `07/21/2016` are each read as their date.
    assert [d for _, _, d, _, _ in staged[:3]] == ["2025-09-18", "2025-09-19", "2025-09-18"]
    assert [b for *_, b, _ in staged[:3]] == ["2016-03-14", "2015-11-02", "2016-07-21"]


def test_iready_dates_re_saved_as_dd_mon_yy_read_as_their_dates(tmp_path: Path) -> None:
    """A real i-Ready Diagnostic file of fall 2022 (PowerSchool samples) gives every Completion
    Date as `05-Oct-22`, as a spreadsheet displays dates: all its lines were rejected. A month
    named cannot be swapped with the day; the two-digit year is read as 20YY (strptime's %y)."""
    sample = next((LAYOUT_SAMPLES / "iready_diagnostic_math").glob("*.csv"))
    rows = _rows(sample)
    completed = rows[0].index("Completion Date")
    for row, written in zip(rows[1:], ["05-Oct-22", "5-OCT-2022", "31-Feb-22"], strict=True):
        row[completed] = written
    home = Home(tmp_path).ensure()
    _write(home.landing / "Diagnostic.csv", rows)

    run = load_landing(home, {"assessment__benchmark_results"})

    result = run.tables["assessment__benchmark_results"]
    # 31-Feb-22 is no date: its line (five measures) is rejected, naming the formats.
    assert result.failed == [] and result.rows_rejected == 5
    dates = duckdb.sql(
        'select distinct "TestDate" from read_parquet('
        f"'{home.raw}/assessment/benchmark_results/*.parquet') order by 1"
    ).fetchall()
    assert dates == [("2022-10-05",)]


def test_an_ilearn_per_test_export_is_recognized_by_the_test_in_its_columns(tmp_path: Path) -> None:
    """The per-test file of any ILEARN test reads; an I AM per-test file (the alternate
    assessment, other test names) is refused naming the ILEARN columns it lacks."""
    sample = next((LAYOUT_SAMPLES / "ilearn_per_test_student_data").glob("*.csv"))
    rows = _rows(sample)
    science = [n.replace("Mathematics Grade 5", "Science Grade 6") for n in rows[0]]
    i_am = [n.replace("ILEARN Mathematics", "I AM Mathematics") for n in rows[0]]
    _write(tmp_path / "science.csv", [science, *rows[1:]])
    _write(tmp_path / "i_am.csv", [i_am, *rows[1:]])

    reports = {r.source_path: r for r in check_paths([tmp_path], LAYOUTS)}

    science_report = reports["science.csv"]
    assert (science_report.layout, science_report.rows, science_report.rejected) == (
        "ilearn_per_test_student_data",
        len(rows) - 1,
        0,
    )
    assert reports["i_am.csv"].layout is None
    # It lacks every ILEARN test's scale score column: the first three are named, the rest
    # counted.
    assert "ILEARN English/Language Arts Grade 3 Scale Score, " in reports["i_am.csv"].problem
    assert " or one of 23 more" in reports["i_am.csv"].problem


def test_a_georgia_milestones_retest_file_is_refused_naming_its_run_type(tmp_path: Path) -> None:
    """Only the main administration's EOG file is read: a summer retest (FileRunType RTST, as a
    real 2017 file among the PowerSchool samples) would replace the spring result of the same
    student, subject and year. It is refused, naming the field."""
    sample = next((LAYOUT_SAMPLES / "georgia_milestones_eog_student_data_fixed").glob("*.txt"))
    text = sample.read_text(encoding="utf-8").replace("Spring 2023", "Summer 2023")
    (tmp_path / "MILESTONES_EOG_SU23.txt").write_text(text.replace(" MAINX", " RTSTX"))

    [report] = check_paths([tmp_path], LAYOUTS)

    assert report.layout is None
    assert "file_run_type at 766-769 of line 1 is not MAIN" in report.problem


def test_missouri_map_files_of_before_2016_and_re_saved_with_commas_read(tmp_path: Path) -> None:
    """DESE's MAP files of 2015 (scrubbed real ones among the PowerSchool samples, no licence:
    shape rebuilt) name the level ACHIEVEMENT_LEVEL (its code ACHIEVEMENT_LEVEL_CODE), call
    ELA `Communication Arts` and write the birth date MMDDYYYY as a number (`3032003`, its
    month's zero lost); a 2023 copy was re-saved with commas. Both read, every date as its day."""
    sample = next((LAYOUT_SAMPLES / "missouri_map_student_data").glob("*.txt"))
    rows = _rows(sample, "\t")
    header = [name.replace("PERFORMANCE_LEVEL", "ACHIEVEMENT_LEVEL") for name in rows[0]]
    area, birth = rows[0].index("CONTENT_AREA"), rows[0].index("DATE_OF_BIRTH")
    old = [list(row) for row in rows[1:]]
    for row in old:
        row[area] = row[area].replace("Eng. Language Arts", "Communication Arts")
        month, day, year = row[birth][:-4], row[birth][-4:-2], row[birth][-2:]
        row[birth] = f"{int(month)}{day}20{year}"  # MMDDYY -> MMDDYYYY saved as a number
    with (tmp_path / "2015_MAP_Data_Student_Test.txt").open("w", newline="") as handle:
        csv.writer(handle, delimiter="\t", lineterminator="\r\n").writerows([header, *old])
    _write(tmp_path / "2023_MAP_Data.csv", rows)
    home = Home(tmp_path / "home").ensure()
    for name in ("2015_MAP_Data_Student_Test.txt", "2023_MAP_Data.csv"):
        shutil.copy(tmp_path / name, home.landing / name)

    run = load_landing(home, workers=1)

    result = run.tables["assessment__state_results"]
    assert result.failed == [] and result.rows_rejected == 0
    got = duckdb.sql(
        'select _source_file, "Subject", "BirthDate", "AchievementLevel" from read_parquet('
        f"'{home.raw}/assessment/state_results/*.parquet') where \"SASID\" = '8200000002' "
        "order by all"
    ).fetchall()
    assert [(s.strip(), d, lvl) for _, s, d, lvl in got] == [
        ("Mathematics", "2012-07-11", "Proficient"),
        ("Science", "2012-07-11", "Advanced"),
        ("Mathematics", "2012-07-11", "Proficient"),
        ("Science", "2012-07-11", "Advanced"),
    ]
    [(subject,)] = duckdb.sql(
        'select distinct "Subject" from read_parquet('
        f"'{home.raw}/assessment/state_results/*.parquet') where _source_file like '2015%' "
        "and \"SASID\" = '8200000001' and \"Subject\" like 'Comm%'"
    ).fetchall()
    assert subject == "Communication Arts"


def test_score_files_with_student_numbers_are_not_read_as_an_attendance_student_list(
    tmp_path: Path,
) -> None:
    """ACT's score file, Tennessee's TCAP file and a PowerSchool extract of NC EOG scores (real
    ones among the PowerSchool samples, no licence: headers rebuilt, rows invented) carry
    Student_Number, names and DOB, the columns of PowerSchool's STUDENTS export: they were read
    as the attendance system's student list. That layout requires SchoolID, which they lack."""
    headers = {
        "ACT_Small_File.csv": "Student_Number,ACT ID,Last Name,First Name,Middle Initial,"
        "Last Updated (CT),Test Date,DOB,ACT composite score,ACT math score,ACT English score,"
        "State Org Number,District Org Number,School Org Number",
        "TCAP_File.csv": "Administration,DistrictNumber,DistrictName,stno,school,LastName,"
        "FirstName,MiddleInitial,DOB,Gender,Student_Number,USID,EnrolledGrade,TestGrade,"
        "ContentAreaCode,Attemptedness,OverallSNT",
        "nc_assessment_results_eog_test.csv": "FIRST_NAME,LAST_NAME,STUDENT_NUMBER,INSTANCE,"
        "PS_INSTANCE_ID,TESTED_GRADE,GRADE_LEVEL,DOB,GRADEMATH_ACHIEVEMENT_LEVEL,"
        "GRADEMATH_DEVELOPMENT_SCALE,GRADEMATH_PERCENTILE,GRADEMATH_TESTDATE",
    }
    for name, header in headers.items():
        columns = header.split(",")
        row = ["7001" if "umber" in c else "04/05/2012" if c == "DOB" else "X" for c in columns]
        _write(tmp_path / name, [columns, row])

    reports = check_paths([tmp_path], LAYOUTS)

    assert len(reports) == 3
    assert [r.layout for r in reports] == [None, None, None], [r.problem for r in reports]
    assert all("powerschool_students lacks SchoolID" in (r.problem or "") for r in reports)


def test_an_sc_ready_file_of_2017_to_2021_without_science_and_social_studies_reads(
    tmp_path: Path,
) -> None:
    """SC READY files of 2017 to 2021 (scrubbed real ones among the PowerSchool samples, no
    licence: shape rebuilt) have the ELA and mathematics groups only: read, a row per subject."""
    sample = next((LAYOUT_SAMPLES / "sc_ready_student_data").glob("*.csv"))
    rows = _rows(sample)
    keep = [i for i, name in enumerate(rows[0]) if not name.startswith(("Sci", "Soc"))]
    _write(tmp_path / "SCREADY-Spring-2021.csv", [[row[i] for i in keep] for row in rows])

    [report] = check_paths([tmp_path], LAYOUTS)

    assert (report.layout, report.rows, report.rejected) == ("sc_ready_student_data", 8, 0)


def test_other_states_cambium_exports_are_refused_not_read_as_fast(tmp_path: Path) -> None:
    """Cambium's exports of other states share FAST's identity columns (Student ID, Student DOB,
    Enrolled District, Test Reason): a long SC-Alt file (as Connecticut's, Oregon's, Idaho's ...)
    was loaded as FAST with no rows (its rows lost, a warning of "no data rows"), and Ohio's OST
    per-test file, whose "Grade 4 Mathematics Scale Score" FAST also has, as FAST results. Real
    ones among the PowerSchool samples (no licence: headers rebuilt, rows invented): both are
    now refused, naming what FAST needs."""
    long_header = [
        "Test Group",
        "Test Subject",
        "Test Grade",
        "Test Name",
        "Student Name",
        "Student ID",
        "Student DOB",
        "Enrolled Grade",
        "Enrolled School",
        "Enrolled District",
        "Test Reason",
        "Date Taken",
        "Scale Score",
        "Performance",
    ]
    ohio_header = [
        "Student Name",
        "Student ID",
        "Student DOB",
        "Enrolled Grade",
        "Enrolled District",
        "Enrolled School",
        "Test Reason",
        "Date Taken",
        "Grade 4 Mathematics Scale Score",
        "Grade 4 Mathematics Performance",
    ]
    row = {"Student Name": "Doe,Ann", "Student ID": "7001", "Student DOB": "8/12/2014"}
    for name, header in (
        ("SCALT_Spring_2024.csv", long_header),
        ("OST_Grade4Math.csv", ohio_header),
    ):
        _write(tmp_path / name, [header, [row.get(c, "1") for c in header]])
    home = Home(tmp_path / "home").ensure()
    for name in ("SCALT_Spring_2024.csv", "OST_Grade4Math.csv"):
        shutil.copy(tmp_path / name, home.landing / name)

    reports = {r.source_path: r for r in check_paths([tmp_path / "home" / "landing"], LAYOUTS)}
    run = load_landing(home, workers=1)

    assert {r.layout for r in reports.values()} == {None}
    for report in reports.values():
        assert "fast_student_results lacks FAST ELA Reading Achievement Level" in (
            report.problem or ""
        )
    assert {u["source_path"] for u in run.unrecognized} == set(reports)
