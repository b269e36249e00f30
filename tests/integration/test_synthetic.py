"""The synthetic district keeps the contract of docs/districtwide_layouts.md; its truth agrees
with its files.

Integration: one 1,500-student district, generated once, read with DuckDB. Same-seed runs, clean
runs and several years are in test_synthetic_runs.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from synthetic import GeneratorConfig, generate
from synthetic.assessment import CUTS
from synthetic.faults import TAGS
from tests.fixtures.synthetic_files import (
    EXCEPTIONS_2026,
    counts,
    encoding_of,
    load,
    one,
    rows_of,
    student_days,
)

pytestmark = pytest.mark.integration

SOURCES_MD = Path(__file__).resolve().parents[2] / "docs" / "districtwide_layouts.md"
N_STUDENTS = 1500


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("district")
    generate(GeneratorConfig(n_students=N_STUDENTS, seed=11, out_dir=out))
    return out


def documented_headers() -> dict[str, str]:
    """File name pattern -> header line, from the tables of docs/districtwide_layouts.md."""
    found = {}
    for line in SOURCES_MD.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `([^`]+)` \| [^`|]*`([^`]+)`", line)
        if m:
            found[re.escape(m.group(1)).replace("<YYYY>", r"\d{4}")] = m.group(2)
    return found


def test_every_documented_file_is_written_with_its_exact_header(district: Path) -> None:
    headers = documented_headers()
    assert len(headers) == 14, headers
    written = list((district / "landing").rglob("*.csv"))
    for pattern, header in headers.items():
        matches = [p for p in written if re.fullmatch(pattern, p.name)]
        assert matches, f"no file for {pattern}"
        for path in matches:
            assert path.read_bytes().decode(encoding_of(path)).splitlines()[0] == header
    assert len(written) == len(headers)
    assert {p.parent.name for p in written} == {"sis", "attendance", "assessment"}


def test_attendance_files_are_windows_1252_with_crlf(district: Path) -> None:
    folder = district / "landing" / "attendance"
    exceptions = (folder / EXCEPTIONS_2026).read_bytes()
    for char in "“”–’é":
        assert char.encode("cp1252") in exceptions, char
    with pytest.raises(UnicodeDecodeError):
        exceptions.decode("utf-8")
    students = (folder / "attendance_students.csv").read_bytes()
    assert "é".encode("cp1252") in students
    for data in (exceptions, students):
        assert data.count(b"\n") == data.count(b"\r\n") > 1000
    assert "é" in (district / "landing" / "sis" / "users.csv").read_text(encoding="utf-8")


def test_calendar_has_180_instructional_days_per_school(district: Path) -> None:
    con = load(district)
    per_school = con.execute(
        """
        select schoolSourcedId, count(*) filter (where dayType = 'instructional'),
               count(*) filter (where dayType not in ('instructional', 'holiday', 'pd')),
               count(*) filter (where dayofweek(date::date) in (0, 6))
        from calendar group by all
        """
    ).fetchall()
    assert len(per_school) == counts(district)["sis"]["schools"] >= 3
    assert all(r[1:] == (180, 0, 0) for r in per_school)


def test_student_days_match_calendar_and_class_enrollments(district: Path) -> None:
    truth = counts(district)["attendance"]
    assert student_days(load(district)) == truth["student_days_by_year"]
    assert truth["student_days"] == sum(truth["student_days_by_year"].values())
    assert truth["student_days"] > 170 * N_STUDENTS


def test_enrollment_spans_are_realistic(district: Path) -> None:
    con = load(district)
    off_days = one(
        con,
        """
        select count(*) from school_spans s
        where not exists (select 1 from calendar c where c.schoolSourcedId = s.school
                          and c.date::date = s.b and c.dayType = 'instructional')
           or not exists (select 1 from calendar c where c.schoolSourcedId = s.school
                          and c.date::date = s.e and c.dayType = 'instructional')
        """,
    )
    assert off_days == 0
    per_student = con.execute(
        """
        select student, count(*), count(distinct school), min(e), max(b)
        from school_spans group by student
        """
    ).fetchall()
    assert all(r[1] <= 2 for r in per_student)
    transfers = [r for r in per_student if r[2] == 2]
    assert 0.01 * N_STUDENTS < len(transfers) < 0.06 * N_STUDENTS
    assert all(r[1] == 2 and r[3] < r[4] for r in transfers)
    # Secondary students who withdrew and re-entered the same school: in no class for more
    # than 10 school days (the pipeline's default enrollment_gap_school_days) in between.
    gaps = con.execute(
        """
        with two as (select student from school_spans group by student
                     having count(*) = 2 and count(distinct school) = 1)
        select s.student, count(c.date) as school_days_between
        from (select student, school, min(e) as left_on, max(b) as back_on
              from school_spans where student in (select student from two) group by all) s
        left join calendar c on c.schoolSourcedId = s.school and c.dayType = 'instructional'
             and c.date::date > s.left_on and c.date::date < s.back_on
        group by s.student
        """
    ).fetchall()
    assert 0 < len(gaps) < 0.02 * N_STUDENTS
    assert all(10 < n <= 30 for _, n in gaps)
    mid_year = one(
        con,
        """
        with days as (select min(date::date) as first, max(date::date) as last
                      from calendar where dayType = 'instructional')
        select count(*) from school_spans, days
        where student not in (select student from school_spans group by all having count(*) > 1)
          and (b <> first or e <> last)
        """,
    )
    assert 0.02 * N_STUDENTS < mid_year < 0.07 * N_STUDENTS  # entering or withdrawing
    # Elementary: homeroom (no subject), ELA and math for every span; secondary schedules have
    # no homeroom: ELA and math only.
    subjects = con.execute(
        """
        select distinct c.grades in ('KG', '01', '02', '03', '04', '05') as elementary,
               count(distinct c.subjects),
               count(distinct c.sourcedId) filter (where c.classType = 'homeroom')
        from enrollments e
        join classes c on c.sourcedId = e.classSourcedId
        where e.role = 'student' group by e.userSourcedId, e.beginDate, c.grades
        order by 1
        """
    ).fetchall()
    assert subjects == [(False, 2, 0), (True, 3, 1)]
    teachers = con.execute(
        """
        select distinct count(distinct e.userSourcedId) filter (where e.role = 'teacher')
        from classes c left join enrollments e on e.classSourcedId = c.sourcedId
        group by c.sourcedId
        """
    ).fetchall()
    assert teachers == [(1,)]


def test_state_levels_follow_the_cut_points(district: Path) -> None:
    rows = rows_of(district / "landing" / "assessment" / "state_assessment_2026.csv")
    scored = [r for r in rows[1:] if len(r) == len(rows[0])]
    assert len(scored) > 0.45 * N_STUDENTS
    lows = [c[0] for c in CUTS]
    for r in scored:
        score = int(r[9])
        assert 440 <= score <= 560
        assert r[10] == CUTS[sum(score >= low for low in lows) - 1][1], r
    assert {r[7] for r in scored} == {"03", "04", "05", "06", "07", "08", "10"}
    proficient = sum(r[10] in ("M", "E") for r in scored) / len(scored)
    assert 0.25 < proficient < 0.65


def test_map_scores_grow_and_dates_fall_in_the_windows(district: Path) -> None:
    con = load(district)
    by_term = dict(
        con.execute(
            """
            select split_part(TermName, ' ', 1), avg(TestRITScore::int) from AssessmentResults
            where Grade = '3' and Subject = 'Mathematics' group by all
            """
        ).fetchall()
    )
    assert by_term["Fall"] < by_term["Winter"] < by_term["Spring"]
    months = con.execute(
        """
        select distinct split_part(TermName, ' ', 1) as term,
               month(try_strptime(TestStartDate, '%m/%d/%Y')) as m
        from AssessmentResults where m is not null
        """
    ).fetchall()
    allowed = {"Fall": {8, 9, 10}, "Winter": {1, 2}, "Spring": {4, 5, 6}}
    assert all(m in allowed[t] for t, m in months)
    assert one(con, "select min(TestPercentile::int) from AssessmentResults") >= 1
    assert one(con, "select max(TestPercentile::int) from AssessmentResults") <= 99


def test_chronic_absence_is_in_the_realistic_range(district: Path) -> None:
    att = counts(district)["attendance"]
    share = att["chronic_absent_students"]["2026"] / att["students_with_10plus_days"]["2026"]
    assert 0.12 <= share <= 0.18
    assert set(att["days_by_category"]) == {
        "unexcused_absence",
        "excused_absence",
        "out_of_school_suspension",
        "in_school_suspension",
        "tardy",
        "early_departure",
        "school_activity",
    }
    assert sum(att["days_by_category"].values()) == att["valid_exception_rows_sis"]


def test_records_cover_every_line_and_agree_with_the_files(district: Path) -> None:
    files = counts(district)["files"]
    con = load(district)
    per_file = dict(
        con.execute("select source_file, count(*) from records group by all").fetchall()
    )
    with_records = {
        "users.csv",
        "demographics.csv",
        "enrollments.csv",
        "programs.csv",
        "attendance_students.csv",
        EXCEPTIONS_2026,
        "state_assessment_2026.csv",
        "AssessmentResults.csv",
    }
    assert set(per_file) == with_records
    for path in (district / "landing").rglob("*.csv"):
        rows = rows_of(path)
        assert files[path.name]["data_rows"] == len(rows) - 1, path.name
        if path.name not in with_records:
            continue
        assert per_file[path.name] == len(rows) - 1, path.name

        def lines_with(tag: str, name: str = path.name) -> list[int]:
            return [
                r[0]
                for r in con.execute(
                    "select line_number from records where source_file = ? and contains(faults, ?)",
                    [name, tag],
                ).fetchall()
            ]

        bad = {n for n, r in enumerate(rows, start=1) if len(r) != len(rows[0])}
        assert bad == set(lines_with("bad_field_count")), path.name
        text = path.read_bytes().decode(encoding_of(path)).splitlines()
        copies = lines_with("duplicate")
        assert all(text[n - 1] == text[n - 2] for n in copies), path.name
        assert len(copies) == files[path.name]["duplicate"]
    tags = {
        t
        for (f,) in con.execute("select distinct faults from records").fetchall()
        for t in f.split(",")
    }
    assert tags - {""} <= set(TAGS)


def test_faults_appear_at_their_rates(district: Path) -> None:
    files = counts(district)["files"]

    def rate(name: str, tag: str) -> float:
        return files[name][tag] / files[name]["data_rows"]

    att = "attendance_students.csv"
    assert 0.10 < rate(att, "missing_id") < 0.16
    assert 0.007 < rate(att, "mistyped_id") < 0.025
    assert rate(att, "unknown_student") > 0.002
    assert all(files[att][t] >= 1 for t in ("name_typo", "swapped_names", "nickname"))
    exc = files[EXCEPTIONS_2026]
    assert exc["data_rows"] > 20_000
    assert 0.001 < rate(EXCEPTIONS_2026, "duplicate") < 0.004
    assert 0.0001 < rate(EXCEPTIONS_2026, "bad_field_count") < 0.0012
    assert exc["unmapped_code"] >= 5 and exc["malformed_date"] >= 5
    for name in (
        "users.csv",
        "enrollments.csv",
        "state_assessment_2026.csv",
        "AssessmentResults.csv",
    ):
        assert files[name]["duplicate"] >= 1, name
    assert files["users.csv"]["missing_id"] >= 1
    assert files["state_assessment_2026.csv"]["bad_field_count"] >= 1
    assert files["AssessmentResults.csv"]["malformed_date"] >= 1


def test_unmapped_codes_and_malformed_dates_are_the_recorded_ones(district: Path) -> None:
    con = load(district)
    mismatches = one(
        con,
        f"""
        select count(*) from attendance_exceptions_2025_2026 x
        join records r on r.source_file = '{EXCEPTIONS_2026}' and r.line_number = x.line_number
        where (x.AttCode not in ('A', 'E', 'M', 'S', 'T', 'D', 'F', 'I'))
              <> contains(r.faults, 'unmapped_code')
           or (try_strptime(x.AbsenceDate, '%m/%d/%Y') is null)
              <> contains(r.faults, 'malformed_date')
        """,
    )
    assert mismatches == 0


def test_exceptions_fall_on_enrolled_days_at_the_enrolled_school(district: Path) -> None:
    """Clean exception rows, linked to the SIS through the truth, sit inside a school span."""
    con = load(district)
    total, outside = con.execute(
        f"""
        with clean as (
            select x.*, s.sis_local_id, try_strptime(x.AbsenceDate, '%m/%d/%Y')::date as day
            from attendance_exceptions_2025_2026 x
            join records r on r.source_file = '{EXCEPTIONS_2026}'
                          and r.line_number = x.line_number and r.faults = ''
            join students s on s.true_student_id = r.true_student_id
        )
        select count(*), count(*) filter (where not exists (
            select 1 from school_spans h
            where h.student = clean.sis_local_id and clean.day between h.b and h.e
              and clean.SchoolCode = (100 + substr(h.school, 4)::int)::varchar))
        from clean
        """
    ).fetchall()[0]
    assert total > 10_000
    assert outside == 0
    per_day = f"""
        select StuNum, AbsenceDate, count(distinct AttCode) as n
        from attendance_exceptions_2025_2026 x
        join records r on r.source_file = '{EXCEPTIONS_2026}' and r.line_number = x.line_number
        where not contains(r.faults, 'malformed_date')
        group by all
    """
    assert one(con, f"select max(n) from ({per_day})") == 1


def test_two_children_share_name_and_birth_date(district: Path) -> None:
    con = load(district)
    pairs = con.execute(
        """
        select u.givenName, u.familyName, d.birthDate, count(distinct u.sourcedId) as n
        from users u join demographics d using (sourcedId)
        where u.role = 'student' group by all having n > 1
        """
    ).fetchall()
    assert pairs
    assert counts(district)["identity"]["same_name_birthdate_pairs"] >= 1


def test_some_mistyped_ids_belong_to_another_real_child(district: Path) -> None:
    con = load(district)
    mistyped = con.execute(
        """
        select a.SisNumber, s.sis_local_id, r.mistyped_id_owner,
               a.SisNumber in (select sourcedId from users where role = 'student') as taken
        from records r
        join attendance_students a on a.line_number = r.line_number
        join students s on s.true_student_id = r.true_student_id
        where r.source_file = 'attendance_students.csv' and contains(r.faults, 'mistyped_id')
        """
    ).fetchall()
    assert mistyped
    assert all(typed != true and len(typed) == 6 for typed, true, _, _ in mistyped)
    assert all((owner is not None) == taken for _, _, owner, taken in mistyped)
    collisions = sum(taken for *_, taken in mistyped)
    assert collisions >= 1
    owned = counts(district)["identity"]["mistyped_ids_owned_by_another_child"]
    assert owned["attendance_students.csv"] == collisions
    # the owner really is another child: their local ID is the typed one
    wrong_owner = one(
        con,
        """
        select count(*) from records r
        join attendance_students a on a.line_number = r.line_number
        join students o on o.true_student_id = r.mistyped_id_owner
        where r.source_file = 'attendance_students.csv'
          and (o.sis_local_id <> a.SisNumber or o.true_student_id = r.true_student_id)
        """,
    )
    assert wrong_owner == 0


def test_unknown_students_are_not_in_the_sis(district: Path) -> None:
    con = load(district)
    known = dict(con.execute("select known_to, count(*) from students group by all").fetchall())
    assert known["sis"] == N_STUDENTS
    assert known["attendance"] >= 1 and known["state"] >= 1 and known["map"] >= 1
    leaked = one(
        con,
        """
        select count(*) from students s join users u on u.identifier = s.state_id
        where s.known_to <> 'sis'
        """,
    )
    assert leaked == 0
    lookalikes = con.execute(
        """
        select a.first_name = b.first_name, a.last_name = b.last_name, a.birth_date = b.birth_date
        from students a join students b on b.true_student_id = a.lookalike_of
        """
    ).fetchall()
    assert lookalikes and set(lookalikes) == {(False, True, True)}
    # The namesake trap: a child only MAP knows shares a SIS child's names and birth date (not
    # their MAP ID), and both have MAP results.
    namesakes = con.execute(
        """
        select a.known_to, b.known_to, a.first_name = b.first_name and
               a.last_name = b.last_name and a.birth_date = b.birth_date,
               a.map_student_id <> b.map_student_id,
               (select count(distinct r.true_student_id) from records r
                where r.source_file = 'AssessmentResults.csv'
                  and r.true_student_id in (a.true_student_id, b.true_student_id))
        from students a join students b on b.true_student_id = a.namesake_of
        """
    ).fetchall()
    assert namesakes and set(namesakes) == {("map", "sis", True, True, 2)}


def test_the_attendance_school_codes_are_the_districts_confirmed_crosswalk_rows(
    district: Path,
) -> None:
    rows = rows_of(district / "config" / "crosswalks" / "school_crosswalk.csv")
    assert rows[0] == ["source_system", "vendor_school", "school_sourced_id", "note"]
    schools = counts(district)["schools"]
    assert [r[:3] for r in rows[1:]] == [
        ["attendance", s["att_code"], s["sourced_id"]] for s in schools
    ]
