"""The district's crosswalks in a real load: a duplicate key stops the load before dbt, naming file
and lines; codes map whatever their case and padding; vendor school names are suggested, or sent
to review with their rows quarantined; two codes for one school keep one dim_school row."""

from __future__ import annotations

import csv
import shutil
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import pytest
from dagster import DagsterInstance

from alerts.after_run import alert_after_run, crashed_step, dbt_test_failures
from connectors.check import check_paths
from connectors.crosswalk_files import crosswalk_dir, ensure_crosswalks
from connectors.crosswalks import normalize_school
from connectors.home import Home
from connectors.load import district_layouts
from devtools.demo import run_consolidated_load
from tests.conftest import District, generate, run_load

pytestmark = pytest.mark.integration

EXTRA_ORGS = (
    "SCH98,active,2026-06-18T02:00:00.000Z,Washington Middle School,school,03500098,D001\n"
    "SCH99,active,2026-06-18T02:00:00.000Z,Washington Middle,school,03500099,D001\n"
)


def rewrite(path: Path, change, encoding: str = "utf-8") -> int:
    """Apply `change` to each well-formed data row (a dict) of a CSV file; the rows it changed.
    Rows with a field too many or too few (the generator's faults) are left as delivered."""
    with path.open(newline="", encoding=encoding) as handle:
        header, *rows = list(csv.reader(handle))
    changed = 0
    for n, row in enumerate(rows):
        if len(row) != len(header):
            continue
        values = dict(zip(header, row, strict=True))
        if change(values):
            rows[n] = [values[column] for column in header]
            changed += 1
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle, lineterminator="\r\n").writerows([header, *rows])
    return changed


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> District:
    """A small generated district whose vendors spell codes and schools their own way."""
    root = tmp_path_factory.mktemp("crosswalk-district")
    generate(root, 300, 3, "--years", "1", "--benchmark", "map-combined,star")
    home = Home(root).ensure()
    landing = home.landing
    with (landing / "sis" / "orgs.csv").open("a", encoding="utf-8") as orgs:
        orgs.write(EXTRA_ORGS)

    def vendor_spelling(row: dict) -> bool:
        if row["SchoolName"] == "Lincoln Elementary School":
            row["SchoolName"] = "Lincoln Elem"  # one SIS school fits: suggested
            return True
        if row["SchoolName"] == "Franklin High School":
            row["SchoolName"] = "Washington MS"  # two SIS schools fit: review
            return True
        return False

    assert rewrite(landing / "assessment" / "AssessmentResults.csv", vendor_spelling)
    [exceptions] = (landing / "attendance").glob("attendance_exceptions_*.csv")

    def local_typing(row: dict) -> bool:
        if row["AttCode"] == "A" and row["SchoolCode"] == "101":
            row["AttCode"], row["SchoolCode"] = " a ", "0101 "
            return True
        return False

    assert rewrite(exceptions, local_typing, "cp1252")  # the attendance system's encoding
    [state] = (landing / "assessment").glob("state_assessment_*.csv")

    def not_tested(row: dict) -> bool:
        if row["Subject"] == "ELA" and row["TestedGrade"] == "04":
            row["AchievementLevel"], row["ScaleScore"] = " abs", ""  # absent: no score
            return True
        return False

    assert rewrite(state, not_tested)

    # Star Reading: Lincoln by a vendor spelling of its name and no code (suggested), Adams by a
    # code of Star's own that the district's crosswalk confirms; Star Math: Adams as an unknown
    # school with no code (unmatched: its rows are quarantined).
    def star_reading_schools(row: dict) -> bool:
        if row["SchoolName"] == "Lincoln Elementary School":
            row["SchoolStateID"], row["SchoolName"] = "", "Lincoln Elem"
            return True
        if row["SchoolName"] == "Adams Middle School":
            row["SchoolStateID"], row["SchoolName"] = "ST-77", "Adams Campus"
            return True
        return False

    def star_math_schools(row: dict) -> bool:
        if row["SchoolName"] == "Adams Middle School":
            row["SchoolStateID"], row["SchoolName"] = "", "Nowhere Academy"
            return True
        return False

    assert rewrite(landing / "assessment" / "SR_v2.csv", star_reading_schools)
    assert rewrite(landing / "assessment" / "SM_v2.csv", star_math_schools)
    ensure_crosswalks(home)
    with (crosswalk_dir(home) / "school_crosswalk.csv").open("a", encoding="utf-8") as rows:
        rows.write("attendance,A101,SCH01,a second code the attendance system once used\n")
        rows.write("benchmark,ST-77,SCH02,Star's code for Adams\n")
    with (crosswalk_dir(home) / "achievement_levels.csv").open("a", encoding="utf-8") as rows:
        rows.write(
            "STATE,math,3,M,Meeting Expectations (grade 3 mathematics),3,true,500,529,"
            "a district's own band\n"
        )
    result = run_load(home)
    assert result.success, "consolidated_load failed"
    return District(home, {})


def test_lower_case_and_padded_codes_map(district: District) -> None:
    staged = district.scalar(
        "select count(*) from staging.stg_attendance__exceptions "
        "where att_school_code = '0101' and category_key = 'unexcused_absence' "
        "and school_id = 'SCH01'"
    )
    assert staged > 0
    # (The generator's own unknown codes are still quarantined; none of the retyped rows is.)
    assert not district.scalar(
        "select count(*) from quarantine.quarantine_attendance "
        "where reason in ('unmapped attendance code', 'school not in the school crosswalk') "
        "and raw_record like '%0101 %'"
    )


def test_a_vendor_school_name_is_suggested_and_applied(district: District) -> None:
    with district.warehouse() as con:
        report = con.execute(
            "select source_system, vendor_school, school_match, school_id, school_name, action "
            "from audit.school_crosswalk_report order by 1, 2"
        ).fetchall()
        linked = con.execute(
            "select count(*) from marts.fct_assessment_result r "
            "join marts.dim_school s on r.school_key = s.school_key "
            "where r.assessment = 'map' and s.school_id = 'SCH01'"
        ).fetchone()[0]
    by_value = {(r[0], r[1]): r[2:] for r in report}
    match, school, name, action = by_value[("map", "Lincoln Elem")]
    assert (match, school, name) == ("suggested", "SCH01", "Lincoln Elementary School")
    assert "map,Lincoln Elem,SCH01" in action
    assert by_value[("attendance", "101")][:2] == ("confirmed", "SCH01")
    # The state file's school codes are SIS identifiers: suggested, as the old join matched them.
    assert by_value[("state_assessment", "03500005")][:2] == ("suggested", "SCH01")
    assert linked > 0


def test_an_ambiguous_name_goes_to_review_and_its_rows_to_quarantine(district: District) -> None:
    with district.warehouse() as con:
        review = con.execute(
            "select source_system, vendor_school, school_match, n_rows "
            "from quarantine.school_review where source_system = 'map'"
        ).fetchall()
        quarantined = con.execute(
            "select count(*), min(column_name) from quarantine.quarantine_assessment "
            "where entity = 'map_results' and reason = 'school not in the school crosswalk'"
        ).fetchone()
        passed = con.execute(
            "select count(*) from staging.stg_assessment__map_results "
            "where school_name = 'Washington MS' or school_id is null"
        ).fetchone()[0]
    [(source, value, match, rows)] = review
    assert (source, value, match) == ("map", "Washington MS", "ambiguous")
    assert quarantined == (rows, "SchoolName")
    assert passed == 0


def test_a_benchmark_school_is_matched_by_its_code_else_its_name(district: District) -> None:
    """A benchmark's school goes through the school crosswalk as MAP's and the state file's do:
    a confirmed code, a name one SIS school fits, and an unknown school whose rows wait in
    quarantine for a crosswalk row."""
    with district.warehouse() as con:
        report = con.execute(
            "select vendor_school, school_match, school_id from audit.school_crosswalk_report "
            "where source_system = 'benchmark'"
        ).fetchall()
        staged = con.execute(
            "select school_name, min(school_id), max(school_id) "
            "from staging.stg_assessment__benchmark_results group by 1"
        ).fetchall()
        quarantined = con.execute(
            "select count(distinct line_number), min(column_name) "
            "from quarantine.quarantine_assessment "
            "where entity = 'benchmark_results' and reason = 'school not in the school crosswalk'"
        ).fetchone()
        linked = con.execute(
            "select s.school_id, count(*) from marts.fct_assessment_result r "
            "join marts.dim_school s on r.school_key = s.school_key "
            "where r.assessment = 'benchmark' group by 1"
        ).fetchall()
    by_value = {value: (match, school) for value, match, school in report}
    assert by_value["Lincoln Elem"] == ("suggested", "SCH01")
    assert by_value["ST-77"] == ("confirmed", "SCH02")
    assert by_value["Nowhere Academy"] == ("unmatched", None)
    assert {name: (lo, hi) for name, lo, hi in staged} == {
        "Lincoln Elem": ("SCH01", "SCH01"),  # Star Reading
        "Adams Campus": ("SCH02", "SCH02"),
        "Lincoln Elementary School": ("SCH01", "SCH01"),  # Star Math, as the generator wrote it
    }
    assert quarantined[0] > 0 and quarantined[1] == "SchoolName"
    assert {school for school, _ in linked} == {"SCH01", "SCH02"}


def test_two_codes_for_one_school_keep_one_dim_school_row(district: District) -> None:
    with district.warehouse() as con:
        rows = con.execute(
            "select school_id, count(*), min(attendance_school_code) from marts.dim_school "
            "group by 1 order by 1"
        ).fetchall()
    assert [r[0] for r in rows] == ["SCH01", "SCH02", "SCH03", "SCH98", "SCH99"]
    assert all(n == 1 for _, n, _ in rows)
    assert rows[0][2] == "101"


def test_a_duplicate_key_stops_the_load_before_dbt_naming_file_and_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = Home(tmp_path).ensure()
    ensure_crosswalks(home)
    codes = crosswalk_dir(home) / "attendance_codes.csv"
    lines = codes.read_text(encoding="utf-8").splitlines()
    codes.write_text(
        "\n".join([*lines, "t ,Tardy again,Tardy,tardy,false,false,9"]) + "\n", encoding="utf-8"
    )
    tardy_line = next(n for n, line in enumerate(lines, 1) if line.startswith("T,"))
    instance = DagsterInstance.ephemeral()
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(home.root))

    result = run_consolidated_load(instance)

    assert not result.success
    built = {e.asset_key.path[0] for e in result.get_asset_materialization_events()}
    assert not built & {"staging", "intermediate", "marts", "crosswalks"}
    assert not home.warehouse.exists()
    step, _ = crashed_step(instance, result.run_id)
    assert step == "load_crosswalk_files"
    [failure] = dbt_test_failures(instance, result.run_id)
    expected = f"attendance_codes.csv lines {tardy_line} and {len(lines) + 1}"
    assert failure.domain == "attendance" and failure.blocking
    assert expected in str(failure.observed)
    assert "local_code 'T'" in str(failure.observed)
    # The existing alert path: district IT's email for the stopped run, the steward's for the file.
    monkeypatch.delenv("DISTRICTWIDE_SMTP_HOST", raising=False)
    alert_after_run(instance, result.run_id, home)
    sent = {
        message["X-Districtwide-Kind"] + ":" + str(message.get("X-Districtwide-Domain")): message
        for message in (
            BytesParser(policy=default).parse(path.open("rb"))
            for path in (home.root / "alerts" / "outbox").glob("*.eml")
        )
    }
    assert set(sent) == {"run-failure:None", "check-failures:attendance"}
    steward = sent["check-failures:attendance"].get_body(("plain",)).get_content()
    assert expected in steward


def test_dbt_normalizes_school_names_as_python_does(district: District) -> None:
    with district.warehouse() as con:
        names = con.execute(
            "select org_name, state_org_code from staging.stg_sis__orgs where org_type = 'school'"
        ).fetchall()
        candidates = con.execute("select match_key from crosswalks.school_candidates")
        keys = {key for (key,) in candidates.fetchall()}
    assert keys >= {normalize_school(value) for pair in names for value in pair}


def test_check_reports_codes_and_schools_the_district_does_not_map(
    district: District, tmp_path: Path
) -> None:
    landing = district.home.landing
    files = [landing / "assessment" / "AssessmentResults.csv", *landing.glob("attendance/*exc*")]
    layouts = district_layouts(district.home)

    by_file = {r.source_path: r for r in check_paths(files, layouts, district.home)}

    map_report = by_file["AssessmentResults.csv"]
    assert map_report.unmapped_schools == {"SchoolName": 1}  # Washington MS; Lincoln Elem fits
    [exceptions] = [r for name, r in by_file.items() if name.startswith("attendance_exceptions")]
    assert list(exceptions.unmapped) == ["AttCode"] and not exceptions.unmapped_schools
    assert len(exceptions.unmapped["AttCode"]) == 3
    said = "3 code(s) of AttCode not in its crosswalk: '"
    assert any(said in line for line in exceptions.lines())
    # A benchmark's school: its code, else its name (Star Reading's are all mapped).
    star = {
        r.source_path: r
        for r in check_paths(sorted(landing.glob("assessment/S?_v2.csv")), layouts, district.home)
    }
    assert not star["SR_v2.csv"].unmapped_schools
    assert star["SM_v2.csv"].unmapped_schools == {"SchoolCode/SchoolName": 1}  # Nowhere Academy
    # The district's own file is what counts: map the generator's unknown letters there.
    other = Home(tmp_path)
    shutil.copytree(crosswalk_dir(district.home), crosswalk_dir(other))
    codes = crosswalk_dir(other) / "attendance_codes.csv"
    extra = "".join(
        f"{c},Other,School activity,school_activity,false,false,{9 + n}\n"
        for n, c in enumerate("XQZ")
    )
    codes.write_text(codes.read_text(encoding="utf-8") + extra, encoding="utf-8")
    [again] = check_paths(files[1:], layouts, other)
    assert not again.unmapped


def test_levels_are_per_assessment_subject_and_grade(district: District) -> None:
    with district.warehouse() as con:
        levels = con.execute(
            "select grade_number, subject_code, achievement_level, count(*) "
            "from staging.stg_assessment__state_results where achievement_level_code = 'M' "
            "group by 1, 2, 3 order by 1, 2"
        ).fetchall()
    by_cell = {(grade, subject): level for grade, subject, level, _ in levels}
    assert by_cell[(3, "MATH")] == "Meeting Expectations (grade 3 mathematics)"
    assert by_cell[(3, "ELA")] == "Meeting Expectations"
    assert by_cell[(5, "MATH")] == "Meeting Expectations"
    assert len(levels) == len(by_cell)  # one level row per result: never doubled


def test_a_student_not_tested_is_kept_with_the_reason_and_counted_apart(district: District) -> None:
    with district.warehouse() as con:
        staged = con.execute(
            "select count(*), count(scale_score), count(achievement_level), "
            "min(not_tested_reason), bool_or(is_tested) "
            "from staging.stg_assessment__state_results "
            "where subject_code = 'ELA' and grade_number = 4"
        ).fetchone()
        quarantined = con.execute(
            "select count(*) from quarantine.quarantine_assessment "
            "where entity = 'state_results' and raw_record like '%abs%'"
        ).fetchone()[0]
        marts = con.execute(
            "select sum(n_tested), sum(n_not_tested), bool_or(is_suppressed) "
            "from marts.agg_proficiency_by_school "
            "where subgroup = 'all_students' and academic_subject = 'English Language Arts'"
        ).fetchone()
        # A school's counts hold every result its file attributes to it, linked or not.
        facts = con.execute(
            "select count(*) filter (where is_tested), count(*) filter (where not is_tested) "
            "from intermediate.int_state_results_by_school "
            "where academic_subject = 'English Language Arts'"
        ).fetchone()
        absent = con.execute(
            "select count(*) from marts.fct_assessment_result "
            "where assessment = 'state' and academic_subject = 'English Language Arts' "
            "and not is_tested and not_tested_reason = 'Absent'"
        ).fetchone()[0]
    n, scores, levels, reason, any_tested = staged
    assert n > 0 and scores == 0 and levels == 0 and reason == "Absent" and not any_tested
    assert quarantined == 0
    tested, not_tested, suppressed = marts
    assert not suppressed
    assert absent > 0 and facts[1] >= absent
    assert (tested, not_tested) == facts  # not tested: counted apart
