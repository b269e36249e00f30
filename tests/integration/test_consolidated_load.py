"""The consolidated load on a generated district, checked against the generator's ground truth."""

from __future__ import annotations

import pytest

from serving.publish import content_checksum
from tests.conftest import District, run_load

pytestmark = pytest.mark.integration

RAW_TABLES = {
    "sis": [
        "orgs",
        "academic_sessions",
        "courses",
        "classes",
        "users",
        "enrollments",
        "demographics",
        "programs",
        "calendar",
        "manifest",
    ],
    "attendance": ["students", "exceptions"],
    "assessment": ["state_results", "map_results"],
}


def test_every_mart_row_count_matches_the_truth(district: District) -> None:
    sis, attendance = district.counts["sis"], district.counts["attendance"]
    expected = {
        "dim_school": sis["schools"],
        "dim_student": sis["students"],
        "dim_teacher": sis["teachers"],
        "dim_section": sis["sections"],
        "dim_calendar": sis["calendar_days"],
        "fct_enrollment": sis["school_enrollments"],
        "fct_section_enrollment": sis["section_enrollments"],
        "fct_attendance_daily": attendance["student_days"],
    }
    actual = {m: district.scalar(f"select count(*) from marts.{m}") for m in expected}
    assert actual == expected


def test_linked_fact_rows_plus_rows_waiting_for_review_reproduce_the_truth(
    district: District,
) -> None:
    """Every valid record of a SIS student is either in a fact or in quarantine for identity."""
    truth = district.truth
    with district.warehouse() as con:
        for section, entity, key, fact_sql in (
            (
                "attendance",
                "exceptions",
                "valid_exception_rows_sis",
                "select _source_file, _line_number from intermediate.int_attendance_events "
                "where _conform_reason is null",
            ),
            (
                "assessment",
                "state_results",
                "state_valid_rows_sis",
                "select source_file, line_number from marts.fct_assessment_result "
                "where assessment = 'state'",
            ),
            (
                "assessment",
                "map_results",
                "map_valid_rows_sis",
                "select source_file, line_number from marts.fct_assessment_result "
                "where assessment = 'map'",
            ),
        ):
            expected = district.counts[section][key]
            linked = con.execute(f"select count(*) from ({fact_sql})").fetchone()[0]
            waiting = con.execute(
                f"""
                select count(*) from quarantine.quarantine_{section} q
                join read_parquet('{truth}/records.parquet') r
                    on q.source_file = r.source_file and q.line_number = r.line_number
                join read_parquet('{truth}/students.parquet') s
                    on r.true_student_id = s.true_student_id
                where q.stage = 'conform' and q.reason like 'student not linked%'
                    and s.sis_local_id is not null and q.entity = '{entity}'
                """
            ).fetchone()[0]
            # The children planted to wait for review (the attendance review trap) are often
            # absent: their rows are left out of the share that must link.
            planted = (
                con.execute(
                    f"""
                select count(*) from quarantine.quarantine_{section} q
                join read_parquet('{truth}/records.parquet') r
                    on q.source_file = r.source_file and q.line_number = r.line_number
                join read_parquet('{truth}/students.parquet') s using (true_student_id)
                where q.stage = 'conform' and q.reason like 'student not linked%'
                    and s.attendance_review_trap and q.entity = '{entity}'
                """
                ).fetchone()[0]
                if section == "attendance"
                else 0
            )
            assert linked + waiting == expected, entity
            assert linked >= 0.99 * (expected - planted), f"{entity}: {linked} of {expected} linked"


def test_identity_precision_is_one(district: District) -> None:
    """No source row is linked to the wrong child; each true child has exactly one key."""
    truth = district.truth
    with district.warehouse() as con:
        wrong = con.execute(
            f"""
            with linked as (
                select _source_file as source_file, _line_number as line_number, student_key
                from intermediate.int_attendance_events where student_key is not null
                union all
                select source_file, line_number, student_key from marts.fct_assessment_result
            )
            select count(*)
            from linked
            join marts.dim_student d using (student_key)
            join read_parquet('{truth}/records.parquet') r using (source_file, line_number)
            join read_parquet('{truth}/students.parquet') s on s.true_student_id = r.true_student_id
            where s.sis_local_id is distinct from d.local_id
            """
        ).fetchone()[0]
        keys_per_child = con.execute(
            f"""
            select max(n) from (
                select s.true_student_id, count(distinct d.student_key) as n
                from marts.dim_student d
                join read_parquet('{truth}/students.parquet') s on s.sis_local_id = d.local_id
                group by 1)
            """
        ).fetchone()[0]
        children_per_key = con.execute(
            f"""
            select max(n) from (
                select d.student_key, count(distinct s.true_student_id) as n
                from marts.dim_student d
                join read_parquet('{truth}/students.parquet') s on s.sis_local_id = d.local_id
                group by 1)
            """
        ).fetchone()[0]
    assert wrong == 0
    assert keys_per_child == 1 and children_per_key == 1


def test_a_namesake_the_sis_never_saw_waits_for_review(district: District) -> None:
    """The namesake trap (synthetic/id_traps.py): a child only MAP knows, with a SIS child's
    first name, last name and birth date and a MAP ID no SIS student has, sits the same MAP
    tests. None of their results joins the SIS child: they wait for identity review with the
    reason, the SIS child's own results stay linked, and the natural key of the conformed
    results holds (two results of one test for one student would break it)."""
    truth = district.truth
    assert district.counts["identity"]["namesakes"] >= 1
    with district.warehouse() as con:
        con.execute(
            f"""
            create temp table namesake_rows as
            select s.true_student_id, s.namesake_of, a.student_key, a._conform_reason,
                   a.school_year, a.season, a.measure
            from read_parquet('{truth}/students.parquet') s
            join read_parquet('{truth}/records.parquet') r using (true_student_id)
            join intermediate.int_assessment_results_linked a
                on a._source_file = r.source_file and a._line_number = r.line_number
            where s.namesake_of is not null and r.faults not like '%name_typo%'
            """
        )
        linked, waiting = con.execute(
            "select count(student_key), count(*) filter (where _conform_reason = 'student not "
            "linked (name and birth date match a student who has another result in the same "
            "test)') from namesake_rows"
        ).fetchone()
        shared_tests = con.execute(
            f"""
            select count(*) from (
                select distinct n.school_year, n.season, n.measure
                from namesake_rows n
                join read_parquet('{truth}/students.parquet') t
                    on t.true_student_id = n.namesake_of
                join marts.dim_student d on d.local_id = t.sis_local_id
                join marts.fct_assessment_result f
                    on f.student_key = d.student_key and f.assessment = 'map'
                    and f.school_year = n.school_year and f.season = n.season
                    and f.measure = n.measure)
            """
        ).fetchone()[0]
        doubled = con.execute(
            "select count(*) from (select 1 from marts.fct_assessment_result group by student_key,"
            " assessment, assessment_name, academic_subject, measure, school_year, season,"
            " test_date having count(*) > 1)"
        ).fetchone()[0]
    assert linked == 0
    assert waiting > 0
    assert shared_tests > 0, "the trap must put both children in one MAP test"
    assert doubled == 0


def test_absence_days_match_the_truth_for_linked_rows(district: District) -> None:
    """Exact per category once the rows of SIS students waiting for identity review are counted
    back (a small category, 122 in-school suspensions, can have 3 of them waiting: a share
    tolerance there fails by chance); no valid row is lost for another reason (no span)."""
    expected = district.counts["attendance"]["days_by_category"]
    truth = district.truth
    with district.warehouse() as con:
        actual = dict(
            con.execute(
                "select attendance_category, count(*) from marts.fct_attendance_daily "
                "where attendance_category <> 'present' group by 1"
            ).fetchall()
        )
        waiting = dict(
            con.execute(
                f"""
                select e.category_key, count(*) from intermediate.int_attendance_events e
                join read_parquet('{truth}/records.parquet') r
                    on e._source_file = r.source_file and e._line_number = r.line_number
                join read_parquet('{truth}/students.parquet') s
                    on r.true_student_id = s.true_student_id
                where e._conform_reason like 'student not linked%'
                    and s.sis_local_id is not null
                group by 1
                """
            ).fetchall()
        )
    for category, n in expected.items():
        assert actual.get(category, 0) + waiting.get(category, 0) == n, category
        assert actual.get(category, 0) >= 0.95 * n, category


@pytest.mark.parametrize("source", sorted(RAW_TABLES))
def test_raw_rows_equal_staged_plus_quarantined(district: District, source: str) -> None:
    with district.warehouse() as con:
        for entity in RAW_TABLES[source]:
            raw = con.execute(
                f"""
                select coalesce(sum(rows_total), 0) from audit.file_loads
                where raw_table = '{source}__{entity}' and status = 'loaded'
                and load_id in (select max(load_id) from audit.file_loads
                    where raw_table = '{source}__{entity}' and status = 'loaded'
                    group by source_file)
                """
            ).fetchone()[0]
            staged = con.execute(f"select count(*) from staging.stg_{source}__{entity}").fetchone()[
                0
            ]
            quarantined = con.execute(
                f"select count(*) from quarantine.quarantine_{source} "
                f"where entity = '{entity}' and stage in ('parse', 'staging')"
            ).fetchone()[0]
            assert raw == staged + quarantined, entity
            assert raw > 0, entity


def test_bad_rows_are_quarantined_with_file_line_and_reason(district: District) -> None:
    truth = district.truth
    with district.warehouse() as con:
        missing = con.execute(
            f"""
            select r.source_file, r.line_number, r.faults
            from read_parquet('{truth}/records.parquet') r
            where r.faults like '%bad_field_count%' or r.faults like '%malformed_date%'
                or r.faults like '%unmapped_code%'
            except
            select source_file, line_number, r.faults from (
                select * from quarantine.quarantine_attendance
                union all select * from quarantine.quarantine_assessment
                union all select * from quarantine.quarantine_sis) q
            join read_parquet('{truth}/records.parquet') r using (source_file, line_number)
            where q.stage in ('parse', 'staging') and q.reason is not null
            """
        ).fetchall()
        bad = con.execute(
            f"""
            select count(*) from read_parquet('{truth}/records.parquet')
            where faults like '%bad_field_count%'
            """
        ).fetchone()[0]
    assert bad > 0, "the generator injected no malformed line"
    assert missing == []


# The quality-run log gains a row per run by design: every other served table must be unchanged.
RUN_LOGS = {"rpt_quality_checks_by_run"}


def test_a_second_load_of_the_same_files_changes_no_mart(district: District) -> None:
    before = content_checksum(district.home.serving)
    result = run_load(district.home)
    assert result.success
    after = content_checksum(district.home.serving)
    assert set(after) == set(before)
    assert {t: c for t, c in after.items() if t not in RUN_LOGS} == {
        t: c for t, c in before.items() if t not in RUN_LOGS
    }
    assert after["rpt_quality_checks_by_run"][0] > before["rpt_quality_checks_by_run"][0]
    with district.warehouse() as con:
        loads = con.execute(
            "select count(*), count(distinct sha256) from audit.file_loads where status = 'loaded'"
        ).fetchone()
    assert loads[0] == loads[1], "a file was loaded twice"
