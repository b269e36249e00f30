"""MAP as NWEA ships it, benchmarks, and the one conformed assessment result, through dbt.

A generated district's MAP file is rewritten as the Comprehensive Data File set (results without
names, StudentsBySchool.csv, ClassAssignments.csv; Subject "Language Arts" split by Course, with
Language Usage RIT 40 points off Reading's so that a mix would show), and benchmark files in the
vendors' published headers are written for a few SIS students.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from connectors.home import Home
from tests.conftest import District, generate, run_load

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "layouts"
IDENTITY = [
    "StudentLastName", "StudentFirstName", "StudentMI", "StudentDateOfBirth", "StudentGender",
    "Grade",
]  # fmt: skip


def _as_cdf(landing: Path) -> None:
    """AssessmentResults.csv as the CDF ships it, plus StudentsBySchool and ClassAssignments."""
    path = landing / "assessment" / "AssessmentResults.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    results, students, classes = [], {}, set()
    for row in rows:
        reading = row["Subject"] == "Reading"
        base = {k: v for k, v in row.items() if k not in IDENTITY}
        if reading:
            base["Subject"], base["Course"] = "Language Arts", "Reading"
            usage = dict(base, Course="Language Usage", TestName="Growth: Language 2-12 CCSS 2010")
            if usage["TestRITScore"].isdigit():
                usage["TestRITScore"] = str(int(usage["TestRITScore"]) + 40)
            results.append(usage)
        results.append(base)
        key = (row["TermName"], row["StudentID"], row["SchoolName"])
        students.setdefault(key, row)
        classes.add((*key, f"Homeroom {row['Grade']}", "Teacher, Pat"))
        if row["StudentID"].endswith("7"):  # a second class: MAP then names no one teacher
            classes.add((*key, "Reading intervention", "Reader, Sam"))
    _write(path, list(results[0]), results)
    sbs = ["TermName", "DistrictName", "SchoolName", "StudentLastName", "StudentFirstName"]
    sbs += ["StudentMI", "StudentID", "StudentDateOfBirth", "StudentEthnicGroup"]
    sbs += ["StudentGender", "Grade"]
    _write(landing / "assessment" / "StudentsBySchool.csv", sbs, list(students.values()))
    names = ["TermName", "StudentID", "SchoolName", "ClassName", "TeacherName"]
    _write(
        landing / "assessment" / "ClassAssignments.csv",
        names,
        [dict(zip(names, c, strict=True)) for c in sorted(classes)],
    )


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _benchmarks(landing: Path) -> list[str]:
    """The benchmark fixtures, re-written for five SIS students of the generated district."""
    sis = landing / "sis"
    people = duckdb.sql(
        f"""
        select u.sourcedId, u.identifier, u.familyName, u.givenName, d.birthDate, o.name
        from read_csv('{sis}/users.csv', all_varchar = true) u
        join read_csv('{sis}/demographics.csv', all_varchar = true) d using (sourcedId)
        join read_csv('{sis}/orgs.csv', all_varchar = true) o on o.sourcedId = u.orgSourcedIds
        where u.role = 'student' and u.grades in ('03', '04') order by u.sourcedId limit 3
        """
    ).fetchall()
    ids = []
    for layout in ("iready_diagnostic_ela", "star_math_v2", "dibels8_mclass_benchmark",
                   "wida_access_summative", "star_enterprise_assessment"):  # fmt: skip
        [sample] = [p for p in (FIXTURES / layout).iterdir() if p.is_file()]
        text = sample.read_text(encoding="utf-8-sig")
        for n, (local, state, last, first, birth, school) in enumerate(people):
            old = f"M100{n + 1}"
            y, m, d = birth.split("-")
            text = text.replace(f"SS900{n + 1}", state).replace(old, local)
            for school_text in ("Lakeside Elementary", "LAKESIDE ELEMENTARY"):
                text = text.replace(school_text, school)
            fixture_people = [("Okafor", "Amara"), ("Lindqvist", "Tobias"), ("Delgado", "Rosa")]
            text = text.replace(fixture_people[n][0], last).replace(fixture_people[n][1], first)
            for dob in ("2016-03-14", "2015-11-02", "2016-07-21"):
                if n == ("2016-03-14", "2015-11-02", "2016-07-21").index(dob):
                    text = text.replace(dob, birth)
            for dob in ("03/14/2016", "11/02/2015", "07/21/2016"):
                if n == ("03/14/2016", "11/02/2015", "07/21/2016").index(dob):
                    text = text.replace(dob, f"{m}/{d}/{y}")
            ids.append(local)
        text = text.replace("999001101", "")  # no state school code: the school by its name
        if layout == "star_math_v2":  # a window as a district names it in Renaissance
            text = text.replace(",Fall,", ",1st - 8th Grades BOY Screening Window,")
            star = list(csv.reader(text.splitlines()))
            star[3][star[0].index("StateBenchmarkProficient")] = "NA"  # no state benchmark
            with io.StringIO(newline="") as buffer:
                csv.writer(buffer, lineterminator="\n").writerows(star)
                text = buffer.getvalue()
        if layout == "star_enterprise_assessment":  # Reading, Early Literacy (English and
            # Spanish) in one file; its Math row is left out (a second Star Math beside SM_v2's)
            rows = list(csv.reader(text.splitlines()))
            activity = rows[0].index("Activity Type")
            rows = [r for r in rows if r[activity] != "Star Math Enterprise Tests"]
            with io.StringIO(newline="") as buffer:
                csv.writer(buffer, lineterminator="\n").writerows(rows)
                text = buffer.getvalue()
        if layout == "iready_diagnostic_ela":  # as most real exports: no Norming Window, and
            # (before 2023-24) no Comprehension: Overall, the others "Reading Comprehension: ..."
            rows = list(csv.reader(text.splitlines()))
            keep = [
                i
                for i, name in enumerate(rows[0])
                if name != "Norming Window" and not name.startswith("Comprehension: Overall")
            ]
            rows = [[row[i] for i in keep] for row in rows]
            rows[0] = [n.replace("Comprehension: ", "Reading Comprehension: ") for n in rows[0]]
            with io.StringIO(newline="") as buffer:
                csv.writer(buffer, lineterminator="\n").writerows(rows)
                text = buffer.getvalue()
        (landing / "assessment" / sample.name).write_text(text, encoding="utf-8")
    return sorted(set(ids))


@pytest.fixture(scope="module")
def cdf_district(tmp_path_factory: pytest.TempPathFactory) -> tuple[District, list[str]]:
    root = tmp_path_factory.mktemp("cdf")
    generate(root, 300, 11)
    _as_cdf(root / "landing")
    ids = _benchmarks(root / "landing")
    home = Home(root).ensure()
    assert run_load(home).success
    return District(home, {}), ids


def test_map_identity_and_grade_come_from_students_by_school(cdf_district) -> None:
    district, _ = cdf_district
    total, named, graded = (
        district.warehouse()
        .execute(
            "select count(*), count(last_name), count(grade_level) "
            "from staging.stg_assessment__map_results"
        )
        .fetchone()
    )
    assert total > 0 and named == total and graded == total
    with district.warehouse() as con:
        # A teacher is named exactly where ClassAssignments lists one class for the student's
        # term and school (students whose ID ends in 7 have two; a mistyped ID can add one too).
        wrong, two_classes = con.execute(
            """
            with n_classes as (
                select term_name, local_id, school_name, count(*) as n
                from staging.stg_assessment__map_class_assignments group by all
            )
            select
                count(*) filter (where (r.teacher_name is not null) <> (coalesce(c.n, 0) = 1)),
                count(*) filter (where r.local_id like '%7' and r.teacher_name is null)
            from staging.stg_assessment__map_results r
            left join n_classes c using (term_name, local_id, school_name)
            """
        ).fetchone()
    assert wrong == 0 and two_classes > 0
    linked = district.scalar(
        "select count(*) from marts.fct_assessment_result where assessment = 'map'"
    )
    assert linked > 0.8 * total


def test_reading_and_language_usage_never_mix_in_growth(cdf_district) -> None:
    district, _ = cdf_district
    with district.warehouse() as con:
        measures = dict(
            con.execute(
                "select measure, academic_subject from staging.stg_assessment__map_results "
                "group by all"
            ).fetchall()
        )
        assert measures == {
            "Reading": "English Language Arts",
            "Language Usage": "Language Usage",
            "Mathematics": "Mathematics",
        }
        # Every growth RIT is the RIT of the same scale in that window, never the other one.
        mixed = con.execute(
            """
            select count(*) from marts.fct_student_growth g
            where g.academic_subject in ('English Language Arts', 'Language Usage')
              and g.fall_rit is not null and not exists (
                select 1 from marts.fct_assessment_result r
                where r.student_key = g.student_key and r.school_year = g.school_year
                  and r.assessment = 'map' and r.term_order = 1
                  and r.academic_subject = g.academic_subject
                  and r.scale_score = g.fall_rit)
            """
        ).fetchone()[0]
        assert mixed == 0
        gap = con.execute(
            """
            select avg(u.fall_rit - r.fall_rit) from marts.fct_student_growth r
            join marts.fct_student_growth u using (student_key, school_year)
            where r.academic_subject = 'English Language Arts'
              and u.academic_subject = 'Language Usage'
            """
        ).fetchone()[0]
        assert 39 <= gap <= 41


def test_one_benchmark_per_vendor_is_staged_and_conformed(cdf_district) -> None:
    district, ids = cdf_district
    with district.warehouse() as con:
        staged = dict(
            con.execute(
                "select assessment_name, count(*) from staging.stg_assessment__benchmark_results "
                "group by 1"
            ).fetchall()
        )
        # Star Enterprise's Activity Type named as the tests' own exports name them.
        assert set(staged) == {
            "i-Ready Diagnostic",
            "Star Math",
            "DIBELS 8",
            "ACCESS for ELLs",
            "Star Reading",
            "Star Early Literacy",
        }
        conformed = con.execute(
            """
            select assessment_name, count(*), count(school_key), count(distinct student_key),
                   count(percentile), count(not_tested_reason)
            from marts.fct_assessment_result where assessment = 'benchmark'
              and measure = 'Overall' group by 1 order by 1
            """
        ).fetchall()
        by_name = {row[0]: row[1:] for row in conformed}
        assert by_name["Star Math"] == (3, 3, 3, 3, 0)
        assert by_name["Star Reading"] == by_name["Star Early Literacy"] == (1, 1, 1, 1, 0)
        enterprise = con.execute(
            "select assessment_name, subject_code, academic_subject, season, school_year "
            "from staging.stg_assessment__benchmark_results "
            "where assessment_name in ('Star Reading', 'Star Early Literacy') order by 1"
        ).fetchall()
        assert enterprise == [
            ("Star Early Literacy", "Early Literacy", "English Language Arts", "Fall", 2026),
            ("Star Reading", "Reading", "English Language Arts", "Fall", 2026),
        ]
        # Spanish literacy is not English Language Arts: quarantined until a district maps it.
        spanish = con.execute(
            "select reason from quarantine.quarantine_assessment "
            "where entity = 'benchmark_results' and raw_record like '%Spanish Enterprise Tests%'"
        ).fetchall()
        assert spanish == [("unmapped subject",)], spanish
        seasons = con.execute(
            "select distinct window_name, season from staging.stg_assessment__benchmark_results "
            "where assessment_name = 'Star Math'"
        ).fetchall()
        assert seasons == [("1st - 8th Grades BOY Screening Window", "Fall")]
        proficient = con.execute(
            "select is_proficient, count(*) from marts.fct_assessment_result "
            "where assessment_name = 'Star Math' group by 1 order by 1"
        ).fetchall()
        # The file's StateBenchmarkProficient; NA (no state benchmark) is kept, not judged.
        assert proficient == [(False, 1), (True, 1), (None, 1)]
        assert by_name["i-Ready Diagnostic"] == (3, 3, 3, 3, 0)
        # No Norming Window in the file: the season of the Completion Date (9/16/2025) in
        # i-Ready's norming windows; the older domain names are the same measures.
        iready = con.execute(
            "select distinct window_name, season, term_order from "
            "staging.stg_assessment__benchmark_results where assessment_name = 'i-Ready Diagnostic'"
        ).fetchall()
        assert iready == [(None, "Fall", 1)]
        measures = con.execute(
            "select distinct measure from staging.stg_assessment__benchmark_results "
            "where assessment_name = 'i-Ready Diagnostic' and measure like '%Comprehension%' "
            "order by 1"
        ).fetchall()
        assert measures == [("Comprehension: Informational Text",), ("Comprehension: Literature",)]
        assert by_name["DIBELS 8"][:3] == (3, 3, 3)
        assert by_name["ACCESS for ELLs"][:3] == (1, 1, 1)  # the other has no overall score
        absent = con.execute(
            "select count(*) from marts.fct_assessment_result where assessment = 'benchmark' "
            "and measure = 'Speaking' and not_tested_reason = 'ABS' and scale_score is null"
        ).fetchone()[0]
        assert absent == 1
        raw = con.execute(
            "select sum(rows_parsed) from audit.file_loads "
            "where raw_table = 'assessment__benchmark_results' and status = 'loaded'"
        ).fetchone()[0]
        kept = con.execute(
            "select count(*) from staging.stg_assessment__benchmark_results"
        ).fetchone()[0]
        quarantined = con.execute(
            "select count(*) from quarantine.quarantine_assessment "
            "where entity = 'benchmark_results' and stage in ('parse', 'staging')"
        ).fetchone()[0]
        assert raw == kept + quarantined


def test_benchmarks_sit_beside_the_state_test_per_student(cdf_district) -> None:
    """fct_student_assessment_year: one row per student, year and subject with a state test or a
    headline benchmark result, counting every headline result of the conformed fact and naming
    the latest (an ACCESS student with domain scores but no overall score has no row)."""
    district, ids = cdf_district
    with district.warehouse() as con:
        rows = con.execute(
            """
            select y.academic_subject, y.n_benchmark_results, y.latest_benchmark,
                   y.state_scale_score, (
                select count(*) from marts.fct_assessment_result r
                where r.student_key = y.student_key and r.school_year = y.school_year
                  and r.academic_subject = y.academic_subject
                  and (r.assessment = 'map'
                       or (r.assessment = 'benchmark' and r.measure = 'Overall'))
            ) as expected, (
                select count(*) from marts.fct_assessment_result r
                where r.student_key = y.student_key and r.school_year = y.school_year
                  and r.academic_subject = y.academic_subject and r.assessment = 'state'
            ) as n_state
            from marts.fct_student_assessment_year y
            join marts.dim_student s using (student_key)
            where y.school_year = 2026
            """
        ).fetchall()
        assert rows and all(n == expected for _, n, _, _, expected, _ in rows)
        assert all((score is not None) == (n_state > 0) for _, _, _, score, _, n_state in rows)
        proficiency = [r for r in rows if r[0] == "English Language Proficiency"]
        assert [r[2] for r in proficiency] == ["ACCESS for ELLs"]
        total = con.execute("select count(*) from marts.fct_student_assessment_year").fetchone()[0]
        distinct = con.execute(
            "select count(*) from (select distinct student_key, school_year, academic_subject "
            "from marts.fct_assessment_result where assessment in ('state', 'map') "
            "or measure = 'Overall')"
        ).fetchone()[0]
        assert total == distinct
