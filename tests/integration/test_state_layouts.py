"""State student data files as the states ship them, through staging: Colorado CMAS (school year
`2022-2023`, Math/ELA levels 1-5 with their bands per subject and grade, Science and Social
Studies levels 1-4, numeric not-tested reasons),
California CAASPP (condition codes NT, NTE, PGE, NEL not tested, LOSS tested), Florida FAST
(school year inside the test reason `PM3 2023-24`, levels 1-5, wide subjects), Indiana ILEARN
(the test name as subject, named levels, `UND` for a result not reported; its per-test export
with the test in the column names, levels `Level 1`-`4` and the year in `Spring 2024 (ILEARN)`),
Georgia Milestones' EOG Student Data File (one row per student, a column group per content area,
levels 1-4, `Spring 2024`), California's CERS export (summative and interim rows in one file:
interim rows quarantined, never counted as the state test) and Minnesota's MCA District Student
Results (tab, school year from MDE's file name, levels D/P/M/E, test codes: VS
tested, ABS and REF-P not), and Wisconsin's Forward Exam file (a column group per content area,
levels 1-4 Developing to Advanced, a reason not tested per content area) and Missouri's MAP file
(grade-level, alternate and end-of-course tests in one tab-delimited file, the grade and the
scale score each in the column the row's kind of test fills) and South Carolina's SC READY and
SCPASS state-format file (TestAdmin `SP24`, a column group per subject, levels 1-4) and its
End-of-Course file (TestAdmin `FA23` of the school year it begins, letter grades with their
0-100 bands), and Washington OSPI's score file (a test per row, its type in ResolvedTestType,
levels L1-L4, the grade from ReportingGrade where TestedGrade is blank), and Cambium's CRS long
export (Idaho ISAT: the test group the assessment, interim groups quarantined), and Ohio's Student
Results Data File, comma-delimited and fixed-width (the assessment type the assessment, OELPA
quarantined, `Fall2024` of school year 2025, DNA and INV not tested), and Pennsylvania's PSSA
student data file (DRC's; the Keystone Record the row's kind, exclusion codes as reasons not
tested) and Keystone Exams file (the administration's own result, `NT` not tested), and
Louisiana's LEAP 2025 high school file (a column group per end-of-course test), and the PARCC
Summative Score Record File (Illinois IAR) and New Jersey's NJSLA/NJGPA record file (per-test
levels). Each
sample's rows are staged with the year, the subject, the level and whether it counts as
proficient, or quarantined with a reason; the codes come from the shipped crosswalk defaults, the
school from the district's school crosswalk."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from connectors.check import check_paths
from connectors.home import Home
from connectors.layout import load_layouts
from tests.fixtures.dbt import stage_assessment, write_school_crosswalk

pytestmark = pytest.mark.integration

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "layouts"
# Each sample's school code, confirmed in the district's school crosswalk.
SCHOOLS = {
    "cmas_student_data": "0999",
    "fast_student_results": "0999",
    "ilearn_student_data": "9999_9001",
    "ilearn_per_test_student_data": "Sample Elementary School(9999_9001)",
    "cers_student_score_export": "9001",
    "georgia_milestones_eog_student_data": "0999",
    "georgia_milestones_eog_student_data_fixed": "0999",
    "georgia_milestones_eoc_student_data": "0999",
    "caaspp_student_score_data": "99999996099999",
    "mca_district_student_results": "900",
    "wi_forward_student_data": "9999",
    "missouri_map_student_data": "9999",
    "sc_ready_student_data": "9999001",
    "sc_eocep_student_data": "9999001",
    "wa_ospi_scored_file": "9001",
    "cambium_crs_student_results": "Sample Elementary School (9001)",
    # Ohio's IRN as a spreadsheet saves it, "99901", its six digits read back (zero_pad).
    "ohio_state_tests_student_results": "099901",
    "ohio_state_tests_student_results_fixed": "099901",
    "pa_pssa_student_data": "9901",
    "pa_keystone_student_data": "9902",
    "la_leap_2025_high_school": "901",
    "parcc_summative_record_file": "9901",
    "njsla_summative_record_file": "901",
}


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Home:
    home = Home(tmp_path_factory.mktemp("states")).ensure()
    (home.landing / "assessment").mkdir(parents=True, exist_ok=True)
    for layout in SCHOOLS:
        for sample in (SAMPLES / layout).iterdir():
            shutil.copy(sample, home.landing / "assessment" / sample.name)
    _cmas_science(home.landing / "assessment")
    write_school_crosswalk(home, "state_assessment", sorted(set(SCHOOLS.values())))
    stage_assessment(home)
    return home


def _cmas_science(folder: Path) -> None:
    """A CMAS Science and Social Studies file in the Math/ELA sample's columns (the named columns
    the layout reads are the same): its levels are 1-4, Partially Met to Exceeded, not the
    Math/ELA 1-5 (scrubbed real science files, scale scores 551-773, in github
    PowerSchool-ETL-Assistant-Tool/ETL-Assistant-Tool connector_etl/state/co/cmas)."""
    sample = next((SAMPLES / "cmas_student_data").glob("*.csv"))
    with sample.open(newline="", encoding="utf-8") as handle:
        header, first, *_ = csv.reader(handle)
    rows = []
    for subject, level, score, grade, student in (
        ("Science", "3", "766", "5", "8000000004"),
        ("Science", "1", "551", "5", "8000000007"),
        ("Social Studies", "4", "790", "7", "8000000006"),
    ):
        row = dict(zip(header, first, strict=True))
        row |= {"Subject": subject, "PerfLVL": level, "SS": score}
        row |= {"GradeLevelWhenAssessed": grade, "StateStudentIdentifier": student}
        rows.append([row[name] for name in header])
    science = folder / sample.name.replace("Math_ELA", "Sci_SS")
    with science.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])


def rows(home: Home, sql: str) -> list[tuple]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_sample_row_is_staged_or_quarantined_with_a_reason(staged: Home) -> None:
    [(raw,)] = rows(
        staged,
        f"select count(*) from read_parquet('{staged.raw}/assessment/state_results/*.parquet')",
    )
    [(kept,)] = rows(staged, "select count(*) from staging.stg_assessment__state_results")
    reasons = dict(
        rows(
            staged,
            "select reason, count(*) from quarantine.quarantine_assessment "
            "where entity = 'state_results' and stage in ('parse', 'staging') group by all",
        )
    )
    assert raw == kept + sum(reasons.values())
    assert not {"malformed school year", "unmapped grade code", "unmapped achievement level"} & set(
        reasons
    ), reasons
    # The shipped bands (CMAS and CAASPP per subject and grade, ILEARN per test name:
    # settings/crosswalks/achievement_levels.csv) hold every scored sample row in its level's band.
    assert "scale score outside its achievement level band" not in reasons, reasons
    [(unbanded, banded)] = rows(
        staged,
        "select count(*) filter (where min_scale_score is null or max_scale_score is null), "
        "count(*) from staging.stg_assessment__state_results "
        "where is_tested and not _source_file like 'FAST%' "
        "and not _source_file like '%MILESTONES_EO%' "
        "and not _source_file like 'WI_Forward%' "
        "and not _source_file like 'MAP_999999%' "
        "and not _source_file like 'SCREADY%' "
        "and not _source_file like 'SBA_WCAS%' "
        "and not _source_file like 'ISAT_Student%' "
        "and not _source_file like 'Sample_City_SD%' "
        "and not _source_file like 'Spring2024_OST%' "
        "and not _source_file like 'Sample_2024%PSSA%' "
        "and not _source_file like 'Sample_2024%Keystone%' "
        "and not _source_file like '999901LEAP2025%' "
        "and not _source_file like '%Summative_Record_File%' "
        "and academic_subject in ('English Language Arts', 'Mathematics') "
        "and not (_source_file like 'DSR160%' and achievement_level in "
        "('Meets the Standards', 'Exceeds the Standards'))",
    )
    # FAST's bands (but ELA Reading grade 3's; the sample is grade 3 mathematics), Georgia
    # Milestones', Wisconsin Forward's, Missouri MAP's, SC READY's, Washington's and Idaho
    # ISAT's, Ohio's, the PSSA's, Keystone's, LEAP 2025's, PARCC's and New Jersey's (cuts not
    # in the defaults)
    # and CMAS Science's are not in the defaults; MCA reading's Exceeds cut is published on the
    # theta metric only, so there Meets has no upper and Exceeds no lower bound (the other two
    # ends are checked; mathematics has all four bands).
    assert (unbanded, banded > 0) == (0, True)
    [(mca_checked,)] = rows(
        staged,
        "select count(*) from staging.stg_assessment__state_results where is_tested "
        "and _source_file like 'DSR160%' and (min_scale_score is not null "
        "or max_scale_score is not null)",
    )
    assert mca_checked == 7


def test_each_state_reads_its_year_subject_level_and_proficiency(staged: Home) -> None:
    got = rows(
        staged,
        """
        select _source_file like '%cmas%', school_year, academic_subject, achievement_level,
               is_proficient
        from staging.stg_assessment__state_results
        where is_tested
        order by all
        """,
    )
    years = {(cmas, year) for cmas, year, *_ in got}
    assert (True, 2023) in years, "CMAS 2022-2023 is school year 2023"
    assert {year for _, year, *_ in got} <= {2022, 2023, 2024, 2025}
    by_level = {level: proficient for *_, level, proficient in got}
    assert by_level["Met Expectations"] is True and by_level["Approached Expectations"] is False
    assert (
        by_level["Level 3: On Grade Level"] is True
        and by_level["Level 2: Below Satisfactory"] is False
    )
    assert by_level["At Proficiency"] is True and by_level["Approaching Proficiency"] is False
    assert by_level["Meets the Standards"] is True
    assert by_level["Partially Meets the Standards"] is False
    assert by_level["Meeting"] is True and by_level["Approaching"] is False
    assert by_level["Proficient"] is True and by_level["Basic"] is False
    assert by_level["Meets Expectations"] is True
    assert by_level["Approaches Expectations"] is False
    assert by_level["C (70-79)"] is True and by_level["D (60-69)"] is False
    assert by_level["Meets Standard"] is True and by_level["Below Standard"] is False
    assert {subject for *_, subject, _, _ in got} == {
        "English Language Arts",
        "Mathematics",
        "Science",
        "Social Studies",
    }


def test_cmas_science_and_social_studies_read_their_own_four_levels(staged: Home) -> None:
    """Science and Social Studies level 3 is Met (proficient), where Math/ELA's 3 is Approached."""
    got = rows(
        staged,
        "select academic_subject, achievement_level, is_proficient "
        "from staging.stg_assessment__state_results "
        "where _source_file like '%Sci_SS%' order by all",
    )
    assert got == [
        ("Science", "Met Expectations", True),
        ("Science", "Partially Met Expectations", False),
        ("Social Studies", "Exceeded Expectations", True),
    ]


def test_not_tested_results_keep_their_reason(staged: Home) -> None:
    reasons = dict(
        rows(
            staged,
            "select not_tested_reason, count(*) from staging.stg_assessment__state_results "
            "where not is_tested group by all",
        )
    )
    assert reasons.get("Parent excuse", 0) >= 2, reasons  # CMAS NotTestedReason 09, both subjects
    # The sample's 5 CMAS rows with a reason ('3' unpadded too) and ILEARN's UND: a tested CMAS
    # row's level (1-5) is never read as a not-tested reason code.
    # CAASPP's condition codes: NT, PGE (twice), NEL and NTE are not tested (LOSS is tested).
    assert reasons.get("Not tested: parent or guardian exemption", 0) == 2, reasons
    # MCA's test codes: REF-P (reading) and ABS (mathematics); VS is tested.
    assert reasons.get("Parent refusal", 0) == 1 and reasons.get("Absent", 0) >= 1, reasons
    # Wisconsin Forward's reason not tested: PAR (mathematics), beside a tested ELA row.
    assert reasons.get("Parent opt-out", 0) == 1, reasons
    # Missouri's MAP_SCORE_INVALIDATION "Y": no valid score.
    assert (
        reasons.get("No valid score: exempt, absent from every session or a session invalidated", 0)
        == 1
    ), reasons
    # SC READY's MathAttempt N and SC EOCEP's AttemptFlag N.
    assert reasons.get("Not attempted", 0) == 2, reasons
    # Cambium CRS's "Insufficient to score" (Idaho ISAT science).
    insufficient = "Insufficient to score: too few items answered, no score reported (Cambium CRS)"
    assert reasons.get(insufficient, 0) == 1, reasons
    # Ohio's DNA (a Spring file) and INV (the fall and fixed-width samples).
    assert reasons.get("Invalidated: both parts of the test invalidated", 0) == 2, reasons
    # The PSSA's exclusion code 01, as Excel writes it ("1"), and Keystone's NT.
    assert reasons.get("Parental request (Chapter 4)", 0) == 1, reasons
    assert reasons.get("Did not test", 0) == 1, reasons
    # LEAP 2025's Algebra I previously passed.
    assert reasons.get("Previously passed: not tested this administration", 0) == 1, reasons
    # IAR's test assigned and not attempted.
    assert reasons.get("Assigned, not attempted", 0) == 1, reasons
    assert sum(reasons.values()) == 6 + 5 + 2 + 1 + 1 + 2 + 1 + 3 + 1 + 1 + 1 + 1, reasons
    assert reasons.get("Undetermined (no score reported)", 0) >= 1, reasons  # ILEARN UND


def test_a_caaspp_loss_result_is_tested_at_the_lowest_score(staged: Home) -> None:
    """Condition code LOSS (too few items answered) keeps the score and level: tested."""
    got = rows(
        staged,
        "select is_tested, scale_score, achievement_level "
        "from staging.stg_assessment__state_results "
        "where _source_file like '%CAASPP%' and scale_score = 2300",
    )
    assert got == [(True, 2300, "Standard Not Met")]


def test_an_ilearn_per_test_file_reads_as_the_long_export(staged: Home) -> None:
    """ILEARN's per-test StudentData export (9 real MSD Wayne Township files among the
    PowerSchool samples, no licence: shape rebuilt) names the test in its columns and its levels
    `Level 1` to `Level 4`: the same test name, school year, level, proficiency and band as the
    long export gives."""
    got = rows(
        staged,
        "select upper(subject_code), school_year, achievement_level, is_proficient, "
        "min_scale_score is not null, scale_score from staging.stg_assessment__state_results "
        "where _source_file like '%ILEARNMathematicsGrade5%' order by scale_score",
    )
    assert got == [
        ("ILEARN MATHEMATICS GRADE 5", 2024, "Below Proficiency", False, True, 6400),
        ("ILEARN MATHEMATICS GRADE 5", 2024, "Approaching Proficiency", False, True, 6480),
        ("ILEARN MATHEMATICS GRADE 5", 2024, "At Proficiency", True, True, 6530),
    ]


def test_cers_summative_rows_are_the_state_test_and_interim_rows_are_quarantined(
    staged: Home,
) -> None:
    """California's CERS export (36 real files among the PowerSchool samples, no licence: shape
    rebuilt) mixes Summative and Interim rows (ICA, IABs a teacher chooses to give). A summative
    row is a CAASPP result with its Smarter Balanced band; an interim one is never a state
    result: quarantined with its reason, so it cannot count in state proficiency."""
    staged_rows = rows(
        staged,
        "select state_id, academic_subject, school_year, achievement_level, is_proficient, "
        "min_scale_score is not null from staging.stg_assessment__state_results "
        "where _source_file like 'CERS%' order by all",
    )
    assert staged_rows == [
        ("7000000001", "English Language Arts", 2024, "Standard Met", True, True),
        ("7000000001", "Mathematics", 2024, "Standard Nearly Met", False, True),
        ("7000000002", "English Language Arts", 2024, "Standard Not Met", False, True),
    ]
    quarantined = rows(
        staged,
        "select reason, count(*) from quarantine.quarantine_assessment "
        "where source_file like 'CERS%' and stage = 'staging' group by all",
    )
    assert quarantined == [("not a state content test (an interim or language proficiency)", 2)]


def test_georgia_milestones_eog_reads_each_content_area_taken(staged: Home) -> None:
    """The EOG Student Data File (a real comma-delimited one of 2019 in the PowerSchool samples,
    1,662 rows, no licence: shape rebuilt) has a column group per content area; one the student
    did not take is blank and gives no row. Proficient and Distinguished Learner are proficient."""
    got = rows(
        staged,
        "select state_id, academic_subject, school_year, achievement_level, is_proficient "
        "from staging.stg_assessment__state_results where _source_file like 'MILESTONES_EOG%' "
        "order by all",
    )
    # The fixed-width form (2023, records of 1,233 characters) reads the same fields.
    assert got == [
        ("8000000001", "English Language Arts", 2024, "Beginning Learner", False),
        ("8000000001", "Mathematics", 2024, "Proficient Learner", True),
        ("8000000002", "English Language Arts", 2024, "Proficient Learner", True),
        ("8000000002", "Mathematics", 2024, "Developing Learner", False),
        ("8000000002", "Science", 2024, "Distinguished Learner", True),
        ("8000000003", "English Language Arts", 2023, "Developing Learner", False),
        ("8000000003", "Mathematics", 2023, "Proficient Learner", True),
        ("8000000004", "English Language Arts", 2023, "Distinguished Learner", True),
        ("8000000004", "Mathematics", 2023, "Beginning Learner", False),
        ("8000000004", "Science", 2023, "Developing Learner", False),
    ]


def test_georgia_milestones_eoc_reads_the_course_as_its_subject(staged: Home) -> None:
    """The EOC Student Data File (a real one of spring 2019 among the PowerSchool samples, 441
    rows, no licence: shape rebuilt) is long: one row per course test, the course its subject."""
    got = rows(
        staged,
        "select state_id, subject_code, academic_subject, school_year, achievement_level, "
        "is_proficient from staging.stg_assessment__state_results "
        "where _source_file like '%MILESTONES_EOC%' order by all",
    )
    assert got == [
        ("8000000005", "COORDINATE ALGEBRA", "Mathematics", 2024, "Developing Learner", False),
        (
            "8000000005",
            "NINTH GRADE LITERATURE & COMPOSITION",
            "English Language Arts",
            2024,
            "Proficient Learner",
            True,
        ),
        ("8000000006", "BIOLOGY", "Science", 2024, "Beginning Learner", False),
    ]


def test_wisconsin_forward_reads_each_content_area_taken(staged: Home) -> None:
    """The Forward Exam file (the earthmover bundle's 2024-25 header) has a column group per
    content area: one taken gives a row with its level, one left blank gives none, one with a
    reason not tested gives a not-tested row. Meeting and Advanced are proficient."""
    got = rows(
        staged,
        "select state_id, academic_subject, grade_number, school_year, scale_score, "
        "achievement_level, is_proficient, not_tested_reason "
        "from staging.stg_assessment__state_results where _source_file like 'WI_Forward%' "
        "order by all",
    )
    assert got == [
        ("8100000001", "English Language Arts", 3, 2025, 1541, "Approaching", False, None),
        ("8100000001", "Mathematics", 3, 2025, 1602, "Meeting", True, None),
        ("8100000002", "English Language Arts", 5, 2025, 1660, "Advanced", True, None),
        ("8100000002", "Mathematics", 5, 2025, None, None, None, "Parent opt-out"),
        ("8100000003", "English Language Arts", 7, 2025, 1530, "Developing", False, None),
        ("8100000003", "Mathematics", 7, 2025, 1575, "Approaching", False, None),
        ("8100000004", "English Language Arts", 4, 2025, 1612, "Meeting", True, None),
        ("8100000004", "Mathematics", 4, 2025, 1688, "Advanced", True, None),
        ("8100000004", "Science", 4, 2025, 561, "Meeting", True, None),
        ("8100000004", "Social Studies", 4, 2025, 548, "Approaching", False, None),
        ("8100000005", "Social Studies", 10, 2025, 780, "Meeting", True, None),
    ]


def test_missouri_map_reads_grade_level_alternate_and_end_of_course_rows(staged: Home) -> None:
    """DESE's file (the earthmover bundle's 2024-25 header) gives an end-of-course row's grade in
    GRADE_OF_STUDENT (its GRADE_LEVEL is the course) and its score in EOC_SCORE; a MAP-A row has
    a level and no scale score, and is kept; MAP_SCORE_INVALIDATION "Y" is not tested. A birth
    date saved without its leading zero (`71112`) reads as 2012-07-11."""
    got = rows(
        staged,
        "select state_id, academic_subject, grade_number, school_year, scale_score, "
        "achievement_level, is_proficient, is_tested, birth_date::varchar "
        "from staging.stg_assessment__state_results where _source_file like 'MAP_999999%' "
        "order by all",
    )
    assert got == [
        (
            "8200000001",
            "English Language Arts",
            5,
            2025,
            421,
            "Proficient",
            True,
            True,
            "2014-03-09",
        ),
        ("8200000001", "Mathematics", 5, 2025, 398, "Basic", False, True, "2014-03-09"),
        ("8200000002", "Mathematics", 8, 2025, 214, "Proficient", True, True, "2012-07-11"),
        ("8200000002", "Science", 8, 2025, 702, "Advanced", True, True, "2012-07-11"),
        ("8200000003", "English Language Arts", 11, 2025, None, "Basic", False, True, "2009-12-01"),
        ("8200000004", "Social Studies", 11, 2025, 190, "Below Basic", False, True, "2008-04-15"),
        ("8200000005", "Mathematics", 6, 2025, None, None, None, False, "2013-09-27"),
    ]


def test_sc_ready_reads_each_subject_taken_and_the_spring_administration(staged: Home) -> None:
    """DRC's state-format file (the earthmover bundle's spring 2024 header): TestAdmin `SP24` is
    school year 2024, each subject's group its own row with its grade tested and vertical scale
    score, Meets and Exceeds Expectations proficient, an attempt flag N not tested."""
    got = rows(
        staged,
        "select state_id, academic_subject, grade_number, school_year, scale_score, "
        "achievement_level, is_proficient, is_tested "
        "from staging.stg_assessment__state_results where _source_file like 'SCREADY%' "
        "order by all",
    )
    assert got == [
        ("8300000001", "English Language Arts", 3, 2024, 455, "Meets Expectations", True, True),
        ("8300000001", "Mathematics", 3, 2024, 401, "Approaches Expectations", False, True),
        ("8300000002", "English Language Arts", 5, 2024, 612, "Exceeds Expectations", True, True),
        ("8300000002", "Mathematics", 5, 2024, 530, "Meets Expectations", True, True),
        (
            "8300000003",
            "English Language Arts",
            6,
            2024,
            420,
            "Does Not Meet Expectations",
            False,
            True,
        ),
        ("8300000003", "Mathematics", 6, 2024, 610, "Exceeds Expectations", True, True),
        ("8300000003", "Science", 6, 2024, 590, "Meets Expectations", True, True),
        (
            "8300000004",
            "English Language Arts",
            4,
            2024,
            505,
            "Approaches Expectations",
            False,
            True,
        ),
        ("8300000004", "Mathematics", 4, 2024, None, None, None, False),
        ("8300000004", "Social Studies", 4, 2024, 488, "Approaches Expectations", False, True),
    ]


def test_sc_eocep_reads_fall_and_spring_tests_with_their_letter_grade_bands(staged: Home) -> None:
    """DRC's EOCEP file (the earthmover bundle's fall 2023 header): one row per test, TestAdmin
    `FA23` of school year 2024 like `SP24`, the subject code the test (A Algebra 1, E2 English 2,
    H US History, B Biology 1), its 0-100 score in its letter grade's band, C and above
    proficient; AttemptFlag N not tested."""
    got = rows(
        staged,
        "select state_id, academic_subject, school_year, scale_score, achievement_level, "
        "is_proficient, min_scale_score, max_scale_score, is_tested "
        "from staging.stg_assessment__state_results where _source_file like 'EOCEP%' "
        "order by all",
    )
    assert got == [
        ("8400000001", "Mathematics", 2024, 74, "C (70-79)", True, 70, 79, True),
        ("8400000002", "English Language Arts", 2024, 91, "A (90-100)", True, 90, 100, True),
        ("8400000003", "Social Studies", 2024, 63, "D (60-69)", False, 60, 69, True),
        ("8400000004", "Science", 2024, None, None, None, None, None, False),
    ]


def test_washington_score_file_reads_each_test_and_leaves_language_proficiency_out(
    staged: Home,
) -> None:
    """OSPI's score file: each row a test (Smarter Balanced, WCAS, the algebra EOC), its grade
    ReportingGrade where TestedGrade is blank, levels L1-L4 with Meets and Exceeds Standard
    proficient; an ELPA21 row is not a content test: quarantined as an unmapped subject."""
    got = rows(
        staged,
        "select state_id, subject_code, academic_subject, grade_number, school_year, "
        "scale_score, achievement_level, is_proficient "
        "from staging.stg_assessment__state_results where _source_file like 'SBA_WCAS%' "
        "order by all",
    )
    assert got == [
        ("8600000001", "ELA", "English Language Arts", 6, 2023, 2541, "Meets Standard", True),
        ("8600000001", "MATH", "Mathematics", 6, 2023, 2488, "Below Standard", False),
        ("8600000002", "SCIENCE", "Science", 5, 2023, 612, "Exceeds Standard", True),
        ("8600000003", "MATH1", "Mathematics", 9, 2023, 2432, "Well Below Standard", False),
    ]
    quarantined = rows(
        staged,
        "select reason from quarantine.quarantine_assessment "
        "where source_file like 'SBA_WCAS%' and stage = 'staging'",
    )
    assert quarantined == [("unmapped subject",)]


def test_cambium_crs_long_export_reads_summative_tests_and_quarantines_interims(
    staged: Home,
) -> None:
    """Cambium's CRS long export (Idaho ISAT's, as among the PowerSchool samples; no licence:
    shape rebuilt): the test group is the assessment and its levels ISAT's four, the top two
    proficient; `grade 5` and `G5` are the tested grade; `Insufficient to score` is a result
    not tested; an interim group's row is quarantined, never counted as the state test."""
    got = rows(
        staged,
        "select subject_code, school_year, grade_level, achievement_level, is_proficient, "
        "scale_score, is_tested, not_tested_reason from staging.stg_assessment__state_results "
        "where _source_file like 'ISAT_Student%' order by subject_code",
    )
    assert got == [
        ("ELA", 2024, "Fifth grade", "Below Basic", False, 2350, True, None),
        ("MATHEMATICS", 2024, "Fifth grade", "Proficient", True, 2510, True, None),
        (
            "SCIENCE",
            2024,
            "Fifth grade",
            None,
            None,
            None,
            False,
            "Insufficient to score: too few items answered, no score reported (Cambium CRS)",
        ),
    ]
    assert rows(
        staged,
        "select reason from quarantine.quarantine_assessment "
        "where source_file like 'ISAT_Student%' and stage = 'staging'",
    ) == [("not a state content test (an interim or language proficiency)",)]


def test_ohio_student_results_read_state_tests_and_alternate_and_leave_oelpa_out(
    staged: Home,
) -> None:
    """Ohio's Student Results Data File (the state's 2019-20 layout; shapes of the PowerSchool
    samples, no licence: rebuilt): OCBA and OST rows are Ohio's State Tests, AASCD rows the
    alternate assessment, both with the five levels (Proficient and above proficient); a DNA or
    INV score, its level blank, is a result not tested with its reason; `Fall2024` is of school
    year 2025; the fixed-width form reads the same fields; OELPA rows (English language
    proficiency) are quarantined, never counted as the state test."""
    got = rows(
        staged,
        "select _source_file, subject_code, school_year, grade_level, academic_subject, "
        "achievement_level, is_proficient, scale_score, not_tested_reason "
        "from staging.stg_assessment__state_results "
        "where _source_file like 'Sample_City_SD%' or _source_file like 'Spring2024_OST%' "
        "order by _source_file, subject_code",
    )
    fall, spring, fixed = (
        "Sample_City_SD_OST_Export_Fall2024.csv",
        "Sample_City_SD_StudentData_Ohio_State_Tests_Spring2023.csv",
        "Spring2024_OST_999999.txt",
    )
    invalidated = "Invalidated: both parts of the test invalidated"
    not_attempted = (
        "Did not attempt: answered at least one item but did not meet the attemptedness criteria"
    )
    assert got == [
        (fall, "ALGEBRA 1", 2025, "Tenth grade", "Mathematics", "Advanced", True, 756, None),
        (
            fall,
            "ENGLISH LANGUAGE ARTS 2",
            2025,
            "Eleventh grade",
            "English Language Arts",
            None,
            None,
            None,
            invalidated,
        ),
        (
            spring,
            "GRADE 3 ENGLISH LANGUAGE ARTS",
            2023,
            "Third grade",
            "English Language Arts",
            None,
            None,
            None,
            not_attempted,
        ),
        (spring, "GRADE 5 SCIENCE", 2023, "Fifth grade", "Science", "Proficient", True, 712, None),
        (
            spring,
            "GRADE 6 MATHEMATICS",
            2023,
            "Sixth grade",
            "Mathematics",
            "Limited",
            False,
            664,
            None,
        ),
        (
            spring,
            "GRADE 6-8 MATHEMATICS",
            2023,
            "Seventh grade",
            "Mathematics",
            "Accelerated",
            True,
            741,
            None,
        ),
        (
            fixed,
            "GRADE 4 MATHEMATICS",
            2024,
            "Fourth grade",
            "Mathematics",
            None,
            None,
            None,
            invalidated,
        ),
        (
            fixed,
            "GRADE 5 MATHEMATICS",
            2024,
            "Fifth grade",
            "Mathematics",
            "Limited",
            False,
            450,
            None,
        ),
        (
            fixed,
            "GRADE 7 ENGLISH LANGUAGE ARTS",
            2024,
            "Seventh grade",
            "English Language Arts",
            "Advanced",
            True,
            805,
            None,
        ),
    ]
    assert rows(
        staged,
        "select source_file, reason from quarantine.quarantine_assessment "
        "where (source_file like 'Sample_City_SD%' or source_file like 'Spring2024_OST%') "
        "and stage in ('parse', 'staging')",
    ) == [(spring, "not a state content test (an interim or language proficiency)")]


def test_pssa_reads_each_subject_and_quarantines_non_keystone_proficiency(staged: Home) -> None:
    """Pennsylvania's PSSA student data file (DRC's 2019 data map; shapes of the PowerSchool
    samples, no licence: rebuilt): a row per subject (E, M, S), levels 1-4 Below Basic to
    Advanced with the top two proficient, exclusion code 00 (Excel's "0") tested and 01 a
    reason not tested, a Birthdate whose month lost its leading zero read; in the accountability
    file a Keystone record (a Keystone best score, read with Keystone's levels, the same four) is
    staged and a non-Keystone proficiency quarantined as not a state test."""
    got = rows(
        staged,
        "select _source_file like '%Accountability%', subject_code, grade_level, "
        "academic_subject, achievement_level, is_proficient, scale_score, not_tested_reason, "
        "birth_date::varchar from staging.stg_assessment__state_results "
        "where _source_file like 'Sample_2024%PSSA%' order by all",
    )
    assert got == [
        (
            False,
            "E",
            "Seventh grade",
            "English Language Arts",
            None,
            None,
            None,
            "Parental request (Chapter 4)",
            "2011-01-09",
        ),
        (
            False,
            "E",
            "Sixth grade",
            "English Language Arts",
            "Proficient",
            True,
            1092,
            None,
            "2012-03-07",
        ),
        (False, "M", "Sixth grade", "Mathematics", "Below Basic", False, 948, None, "2012-03-07"),
        (False, "S", "Eighth grade", "Science", "Advanced", True, 1602, None, "2010-11-15"),
        (True, "M", "Eleventh grade", "Mathematics", "Proficient", True, 1512, None, "2007-05-20"),
    ]
    assert rows(
        staged,
        "select reason from quarantine.quarantine_assessment "
        "where source_file like 'Sample_2024%PSSA%' and stage in ('parse', 'staging')",
    ) == [("not a state content test (an interim or language proficiency)",)]


def test_keystone_reads_each_exam_of_the_administration(staged: Home) -> None:
    """Pennsylvania's Keystone Exams district student data file (DRC's 2019 memo; shapes of the
    PowerSchool samples, no licence: rebuilt): Algebra I, Literature and Biology (`A1 ` with
    DRC's trailing space too) each their subject, the administration's own level (Basic and
    Below Basic not proficient), spring 2024 of school year 2024, `NT` a reason not tested."""
    got = rows(
        staged,
        "select subject_code, school_year, grade_level, academic_subject, achievement_level, "
        "is_proficient, scale_score, not_tested_reason from staging.stg_assessment__state_results "
        "where _source_file like 'Sample_2024%Keystone%' order by all",
    )
    assert got == [
        ("A1", 2024, "Tenth grade", "Mathematics", "Proficient", True, 1512, None),
        ("A1", 2024, "Tenth grade", "Mathematics", None, None, None, "Did not test"),
        ("BIO", 2024, "Eleventh grade", "Science", "Advanced", True, 1588, None),
        ("LIT", 2024, "Tenth grade", "English Language Arts", "Basic", False, 1466, None),
    ]


def test_leap_2025_high_school_reads_each_end_of_course_test_taken(staged: Home) -> None:
    """Louisiana's LEAP 2025 high school subjects-combined file (LDOE's CSV data elements;
    shapes of the PowerSchool samples, no licence: rebuilt): a row per test group filled (the
    void flag, "No" in every group, gives none), levels Unsatisfactory to Advanced with Mastery
    and above proficient, a test previously passed not tested, grade T9 the ninth grade, a
    birth date's two-digit year read."""
    got = rows(
        staged,
        "select subject_code, school_year, grade_level, academic_subject, achievement_level, "
        "is_proficient, scale_score, not_tested_reason, birth_date::varchar "
        "from staging.stg_assessment__state_results "
        "where _source_file like '999901LEAP2025%' order by all",
    )
    passed = "Previously passed: not tested this administration"
    assert got == [
        ("AL", 2023, "Ninth grade", "Mathematics", None, None, None, passed, "2004-09-30"),
        (
            "AL",
            2023,
            "Tenth grade",
            "Mathematics",
            "Unsatisfactory",
            False,
            698,
            None,
            "2007-07-22",
        ),
        ("BL", 2023, "Eleventh grade", "Science", "Advanced", True, 801, None, "2006-01-05"),
        (
            "E1",
            2023,
            "Tenth grade",
            "English Language Arts",
            "Mastery",
            True,
            752,
            None,
            "2007-07-22",
        ),
        ("GM", 2023, "Ninth grade", "Mathematics", "Basic", False, 741, None, "2004-09-30"),
    ]


def test_parcc_and_new_jersey_record_files_read_each_test_with_its_own_levels(
    staged: Home,
) -> None:
    """The PARCC Summative Score Record File (Illinois IAR's, with PARCC's five levels) and New
    Jersey's NJSLA/NJGPA record file (shapes of the PowerSchool samples, no licence: rebuilt):
    the test code is the subject, ELA and mathematics Levels 4-5 proficient, NJSLA science's
    four levels (3-4 proficient) and NJGPA's two (2 graduation ready) by test code, a test
    assigned and not attempted not tested; the responsible (home, accountable) school."""
    got = rows(
        staged,
        "select _source_file like 'IAR%', subject_code, school_year, grade_level, "
        "academic_subject, achievement_level, is_proficient, scale_score, not_tested_reason "
        "from staging.stg_assessment__state_results "
        "where _source_file like '%Summative_Record_File%' order by all",
    )
    assert got == [
        (
            False,
            "ELA04",
            2022,
            "Fourth grade",
            "English Language Arts",
            "Exceeding Expectations",
            True,
            772,
            None,
        ),
        (
            False,
            "ELAGP",
            2022,
            "Eleventh grade",
            "English Language Arts",
            "Graduation Ready",
            True,
            734,
            None,
        ),
        (
            False,
            "MAT03",
            2022,
            "Third grade",
            "Mathematics",
            "Approaching Expectations",
            False,
            739,
            None,
        ),
        (False, "SC05", 2022, "Fifth grade", "Science", "Meets Expectations", True, 204, None),
        (
            True,
            "ELA06",
            2023,
            "Sixth grade",
            "English Language Arts",
            "Met Expectations",
            True,
            753,
            None,
        ),
        (
            True,
            "ELA06",
            2023,
            "Sixth grade",
            "English Language Arts",
            None,
            None,
            None,
            "Assigned, not attempted",
        ),
        (
            True,
            "MAT03",
            2023,
            "Third grade",
            "Mathematics",
            "Partially Met Expectations",
            False,
            712,
            None,
        ),
    ]


def test_check_does_not_ask_for_codes_of_rows_that_are_not_state_tests() -> None:
    """`districtwide check` names the codes a district must map; an OELPA row of Ohio's file is
    quarantined as not a state content test whatever its codes, so its test name and grade
    (`Grade 2 OELPA`, `2`) are not asked for; the state tests' codes all map."""
    [fall, spring] = check_paths([SAMPLES / "ohio_state_tests_student_results"], load_layouts())

    assert (fall.layout, spring.layout) == ("ohio_state_tests_student_results",) * 2
    assert fall.unmapped == spring.unmapped == {}
