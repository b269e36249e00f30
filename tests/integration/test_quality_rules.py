"""Quality suites on the hand-made warehouse (tests/fixtures/quality_warehouse.py): the clean
warehouse passes, each planted defect fails its rule and only its rule. GX and DuckDB run for
real."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from expectations import (
    QualitySettings,
    SuiteSpec,
    all_suites,
    rules,
    run_suite,
    run_suites,
    suite_named,
)
from tests.fixtures.quality_warehouse import (
    EXC_FILE,
    NOW,
    SCHOOL_DAYS,
    Table,
    check,
    failed,
    file_load,
    load_id,
    warehouse,
)

pytestmark = pytest.mark.integration


def test_every_suite_passes_on_a_clean_warehouse(tmp_path: Path) -> None:
    results = run_suites(all_suites(), warehouse(tmp_path), run_id="clean")
    assert len(results) == len(all_suites())
    for result in results:
        assert not any(o.error for o in result.outcomes), result.summary()
        assert result.success, result.summary()
        assert all(o.unexpected_count in (0, None) for o in result.outcomes)


def test_null_key_fails_not_null_only(tmp_path: Path) -> None:
    def change(t: dict[str, Table]) -> None:
        row = t["staging.stg_sis__users"].rows[0]
        t["staging.stg_sis__users"].rows.append((None, *row[1:]))

    result = check(tmp_path, "stg_sis__users", change)
    assert failed(result) == {"expect_column_values_to_not_be_null:user_id": 1}
    assert result.blocked
    outcome = result.outcome("expect_column_values_to_not_be_null:user_id")
    assert outcome.severity == "blocking" and outcome.element_count == 8


def test_duplicate_key_fails_unique(tmp_path: Path) -> None:
    def change(t: dict[str, Table]) -> None:
        t["marts.dim_student"].rows.append(t["marts.dim_student"].rows[0])

    result = check(tmp_path, "dim_student", change)
    # GX counts every row that shares the repeated value: both copies.
    assert failed(result) == {"expect_column_values_to_be_unique:student_key": 2}
    assert result.blocked


def test_repeated_calendar_day_fails_the_compound_key(tmp_path: Path) -> None:
    def change(t: dict[str, Table]) -> None:
        days = t["marts.fct_attendance_exception_day"].rows
        days += days[:2]

    key = rules.unique_together(["student_key", "school_key", "calendar_date"], "one per day")
    suite = SuiteSpec(
        name="daily_key",
        domain="attendance",
        asset_key=["marts", "fct_attendance_exception_day"],
        table="marts.fct_attendance_exception_day",
        expectations=[key],
    )
    result = run_suite(suite, warehouse(tmp_path, change), run_id="test")
    rule = "unexpected_rows_expectation:one_row_per_student_key_school_key_calendar_date"
    assert failed(result) == {rule: 2}  # two student-days appear twice


@pytest.mark.parametrize(
    ("suite", "reason", "entity"),
    [
        ("quarantine_attendance", "unmapped attendance code", "exceptions"),
        ("quarantine_sis", "unmapped grade code", "users"),
        ("quarantine_sis", "unmapped sex code", "demographics"),
        ("quarantine_assessment", "unmapped achievement level", "state_results"),
    ],
)
def test_unmapped_codes_in_the_latest_load_fail_their_rule(
    tmp_path: Path, suite: str, reason: str, entity: str
) -> None:
    source = suite.removeprefix("quarantine_")
    raw_table, file = f"{source}__{entity}", f"{entity}_delivery.csv"
    older, latest = load_id(3, f"q-{entity}"), load_id(1, f"q-{entity}")

    def change(t: dict[str, Table]) -> None:
        for load, days_ago in ((older, 3), (latest, 1)):
            row = file_load(source, raw_table, file, 10, days_ago)
            t["audit.file_loads"].rows.append((load, *row[1:]))
        for load, lines in ((latest, range(3)), (older, range(5))):
            for line in lines:
                t[f"quarantine.{suite}"].rows.append(
                    (source, entity, load, file, line, "staging", reason, "c", "")
                )

    result = check(tmp_path, suite, change)
    rule = f"unexpected_rows_expectation:{reason.replace(' ', '_')}"
    assert failed(result) == {rule: 3}  # the 5 rows of the older load do not count
    assert not result.blocked and result.outcome(rule).severity == "warning"

    allowing = QualitySettings(max_unmapped_code_rows=3)
    assert check(tmp_path, suite, change, allowing).success
    assert failed(check(tmp_path, suite, change, QualitySettings(max_unmapped_code_rows=2))) == {
        rule: 3
    }


def test_state_score_out_of_scale_fails(tmp_path: Path) -> None:
    def stage(t: dict[str, Table]) -> None:
        row = t["staging.stg_assessment__state_results"].rows[0]
        t["staging.stg_assessment__state_results"].rows[0] = row[:6] + (999,) + row[7:]

    result = check(tmp_path, "stg_assessment__state_results", stage)
    assert failed(result) == {
        "expect_column_values_to_be_between:scale_score": 1,
        # 999 is outside its achievement level's band as well (a warning)
        "unexpected_rows_expectation:achievement_level_disagrees_with_score": 1,
    }
    assert result.blocked

    def mart(t: dict[str, Table]) -> None:
        row = t["marts.fct_assessment_result"].rows[0]
        t["marts.fct_assessment_result"].rows[0] = row[:6] + (999,) + row[7:]

    result = check(tmp_path, "fct_assessment_result", mart)
    assert failed(result) == {"unexpected_rows_expectation:state_scale_score_out_of_range": 1}


def test_a_file_set_aside_warns_its_steward_until_a_good_one_follows(tmp_path: Path) -> None:
    def set_aside(t: dict[str, Table]) -> None:
        row = file_load("attendance", "attendance__exceptions", EXC_FILE, 0, 0)
        t["audit.file_loads"].rows.append(
            (*row[:10], "failed", "x.csv: line 1, column 3: ...", *row[12:])
        )

    result = check(tmp_path, "attendance_file_loads", set_aside)
    assert failed(result) == {"unexpected_rows_expectation:file_set_aside": 1}
    assert not result.blocked  # the other files and sources load and publish
    assert check(tmp_path, "sis_file_loads", set_aside).success

    def then_good(t: dict[str, Table]) -> None:
        set_aside(t)
        row = file_load("attendance", "attendance__exceptions", EXC_FILE, 850, 0)
        t["audit.file_loads"].rows.append((load_id(-1, "good"), *row[1:]))

    assert check(tmp_path, "attendance_file_loads", then_good).success


def test_half_empty_file_fails_the_row_count_band(tmp_path: Path) -> None:
    def change(t: dict[str, Table]) -> None:
        t["audit.file_loads"].rows.append(
            file_load("attendance", "attendance__exceptions", EXC_FILE, 425, 0)
        )  # 850 -> 425: -50%

    result = check(tmp_path, "attendance_file_loads", change)
    assert failed(result) == {"unexpected_rows_expectation:rows_dropped_since_previous_load": 1}
    assert result.blocked
    assert check(tmp_path, "sis_file_loads", change).success  # other sources unaffected


def test_orphan_fact_rows_fail_referential_integrity(tmp_path: Path) -> None:
    def change(t: dict[str, Table]) -> None:
        row = t["marts.fct_attendance_exception_day"].rows[0]
        t["marts.fct_attendance_exception_day"].rows.append(("ghost", *row[1:]))
        row = t["marts.fct_assessment_result"].rows[0]
        t["marts.fct_assessment_result"].rows.append(("st99", row[1], "ghost", *row[3:]))

    daily = check(tmp_path, "fct_attendance_exception_day", change)
    assert failed(daily) == {"unexpected_rows_expectation:student_key_in_dim_student": 1}
    results = check(tmp_path, "fct_assessment_result", change)
    assert failed(results) == {"unexpected_rows_expectation:student_key_in_dim_student": 1}


def test_grouped_rules_count_what_a_row_by_row_join_counts(tmp_path: Path) -> None:
    """in_dimension and day_not_instructional count keys or days first, then return one row per
    fact row; the reference is the row-by-row left join they replaced. Edge cases: an orphan key
    on several rows, null keys, a key twice in the dimension, a calendar day twice with
    different flags, a day missing from the calendar, a weekend day."""
    by_row = {
        "unexpected_rows_expectation:student_key_in_dim_student": (
            "select count(*) from marts.fct_attendance_exception_day as f "
            "left join marts.dim_student as d on d.student_key = f.student_key "
            "where f.student_key is not null and d.student_key is null"
        ),
        "unexpected_rows_expectation:school_key_in_dim_school": (
            "select count(*) from marts.fct_attendance_exception_day as f "
            "left join marts.dim_school as d on d.school_key = f.school_key "
            "where f.school_key is not null and d.school_key is null"
        ),
        "unexpected_rows_expectation:day_not_instructional": (
            "select count(*) from marts.fct_attendance_exception_day as f "
            "left join marts.dim_calendar as c "
            "on c.school_key = f.school_key and c.calendar_date = f.calendar_date "
            "where c.is_instructional is distinct from true"
        ),
    }

    def change(t: dict[str, Table]) -> None:
        fact = t["marts.fct_attendance_exception_day"].rows
        row = fact[0]
        fact += [("ghost", *row[1:])] * 3  # one orphan student on three days
        fact += [(None, *row[1:]), (row[0], None, *row[2:])]  # null keys
        fact.append((row[0], "nowhere", *row[2:]))  # an orphan school
        fact.append((*row[:3], SCHOOL_DAYS[5], *row[4:]))  # a Saturday
        fact.append((*row[:3], date(2025, 12, 25), *row[4:]))  # not in the calendar
        t["marts.dim_student"].rows.append(t["marts.dim_student"].rows[0])  # a key twice
        calendar = t["marts.dim_calendar"].rows
        calendar.append((row[1], row[3], 2026, False))  # a day twice: instructional and not

    path = warehouse(tmp_path, change)
    with duckdb.connect(str(path), read_only=True) as con:
        expected = {rule: con.execute(query).fetchone()[0] for rule, query in by_row.items()}
    result = run_suite(suite_named("fct_attendance_exception_day"), path, run_id="t")
    assert expected == {
        "unexpected_rows_expectation:student_key_in_dim_student": 3,
        "unexpected_rows_expectation:school_key_in_dim_school": 1,
        # the 7 rows on the repeated day, a null school, an unknown school, Saturday, Christmas
        "unexpected_rows_expectation:day_not_instructional": 11,
    }
    assert {rule: result.outcome(rule).unexpected_count for rule in by_row} == expected


def test_stale_source_fails_freshness(tmp_path: Path) -> None:
    def change(t: dict[str, Table]) -> None:
        rows = t["audit.file_loads"].rows
        t["audit.file_loads"].rows = [
            r[:13] + (NOW - timedelta(days=30),) + r[14:] if r[1] == "sis" else r for r in rows
        ]

    result = check(tmp_path, "sis_file_loads", change)
    assert failed(result) == {"unexpected_rows_expectation:file_not_delivered": 1}
    assert not result.blocked  # stale data is a warning, not a reason to stop the marts
    assert check(tmp_path, "attendance_file_loads", change).success
    patient = QualitySettings(freshness_school_days=25)  # 35 calendar days
    assert check(tmp_path, "sis_file_loads", change, patient).success
    # assessment files arrive a few times a year: no freshness rule by default
    names = [e.name for e in suite_named("assessment_file_loads").expectations]
    assert "unexpected_rows_expectation:file_not_delivered" not in names


def test_overlapping_enrollment_spans_fail(tmp_path: Path) -> None:
    def change(t: dict[str, Table]) -> None:
        spans = t["intermediate.int_enrollment_spans"].rows
        key, lid, school, year, _, exit_date, source = spans[0]
        spans.append((key, lid, school, year, SCHOOL_DAYS[3], exit_date, source))

    result = check(tmp_path, "int_enrollment_spans", change)
    assert failed(result) == {"unexpected_rows_expectation:overlapping_enrollment_spans": 1}


def test_unmatched_identity_share_over_threshold_fails(tmp_path: Path) -> None:
    def change(t: dict[str, Table]) -> None:
        for i in range(14):  # 20 attendance people, 2 of them not matched: 10%
            status = "unmatched" if i < 1 else "review" if i < 2 else "matched"
            t["intermediate.int_identity_matches"].rows.append(
                ("attendance", f"x{i}", None, "id", status, None, None)
            )

    result = check(tmp_path, "attendance_identity_matches", change)
    assert failed(result) == {"unexpected_rows_expectation:unmatched_identity_share": 2}
    assert check(tmp_path, "assessment_identity_matches", change).success
    lenient = QualitySettings(max_unmatched_identity_share=0.10)
    assert check(tmp_path, "attendance_identity_matches", change, lenient).success


def test_attendance_off_the_calendar_fails(tmp_path: Path) -> None:
    def change(t: dict[str, Table]) -> None:
        row = t["staging.stg_attendance__exceptions"].rows[0]
        exc = t["staging.stg_attendance__exceptions"].rows
        exc.append(row[:3] + (date(2025, 9, 6),) + row[4:])  # a Saturday
        exc.append(row[:3] + (date(2026, 7, 15),) + row[4:])  # after the school year

    result = check(tmp_path, "stg_attendance__exceptions", change)
    assert failed(result) == {
        "unexpected_rows_expectation:date_not_instructional_day": 2,
        "unexpected_rows_expectation:date_outside_school_year": 1,
    }


def test_presence_status_against_the_crosswalk_warns_and_period_rows_are_named(
    tmp_path: Path,
) -> None:
    """PowerSchool marks an absent code Present: the attendance steward is warned (the crosswalk
    still decides); a row quarantined as period attendance fails its own rule, not blocking."""

    def change(t: dict[str, Table]) -> None:
        exc = t["staging.stg_attendance__exceptions"].rows
        exc[0] = (*exc[0][:11], "present", *exc[0][12:])

    result = check(tmp_path, "stg_attendance__exceptions", change)
    assert failed(result) == {"unexpected_rows_expectation:presence_status_disagrees_with_code": 1}
    assert not result.blocked

    def period_row(t: dict[str, Table]) -> None:
        quarantine = t["quarantine.quarantine_attendance"]
        row = list(quarantine.rows[0])
        row[quarantine.names.index("reason")] = "period attendance, not daily"
        quarantine.rows.append(tuple(row))

    result = check(tmp_path, "quarantine_attendance", period_row)
    assert failed(result) == {"unexpected_rows_expectation:period_attendance_not_daily": 1}
    assert not result.blocked


def test_date_outside_school_year_counts_what_the_not_exists_form_counted(
    tmp_path: Path,
) -> None:
    """The rule is an anti-join written as a left join; the former `not exists` form is the
    reference. Edge cases: no date, a date between two school years, the first and last days."""
    year_of = "(extract(year from {d}) + case when extract(month from {d}) >= 7 then 1 else 0 end)"
    not_exists = (
        "select count(*) from staging.stg_attendance__exceptions as e where not exists ("
        "select 1 from (select " + year_of.format(d="c.calendar_date") + " as school_year, "
        "min(c.calendar_date) as first_day, max(c.calendar_date) as last_day "
        "from intermediate.int_school_calendar as c group by 1) as y "
        "where y.school_year = " + year_of.format(d="e.attendance_date") + " "
        "and e.attendance_date between y.first_day and y.last_day)"
    )

    def change(t: dict[str, Table]) -> None:
        calendar = t["intermediate.int_school_calendar"].rows
        calendar.append(("SCH01", date(2027, 3, 1), 2027, "instructional", None, True, "sis"))
        row = t["staging.stg_attendance__exceptions"].rows[0]
        exc = t["staging.stg_attendance__exceptions"].rows
        for day in (
            None,  # no date: outside every school year
            date(2026, 8, 20),  # after 2025-26's last calendar day, before 2026-27's first
            date(2027, 3, 1),  # the one day of 2026-27
            SCHOOL_DAYS[0],  # first and last days of 2025-26
            SCHOOL_DAYS[-1],
            date(2026, 7, 15),  # 2026-27, before its first day
        ):
            exc.append(row[:3] + (day,) + row[4:])

    path = warehouse(tmp_path, change)
    with duckdb.connect(str(path), read_only=True) as con:
        expected = con.execute(not_exists).fetchone()[0]
    result = run_suite(suite_named("stg_attendance__exceptions"), path, run_id="t")
    outcome = result.outcome("unexpected_rows_expectation:date_outside_school_year")
    assert expected == 3
    assert outcome.unexpected_count == expected


def test_race_outside_the_federal_categories_fails(tmp_path: Path) -> None:
    def change(t: dict[str, Table]) -> None:
        rows = t["staging.stg_sis__demographics"].rows
        rows[0] = (*rows[0][:3], "Martian")
        rows[1] = (*rows[1][:3], None)

    result = check(tmp_path, "stg_sis__demographics", change)
    assert failed(result) == {
        "expect_column_values_to_be_in_set:race_ethnicity": 1,
        "expect_column_values_to_not_be_null:race_ethnicity": 1,
    }
    assert result.outcome("expect_column_values_to_not_be_null:race_ethnicity").severity == (
        "warning"
    )


def test_attendance_outside_enrollment_spans_over_the_share_fails(tmp_path: Path) -> None:
    """The share of linked exception rows outside every span of the student at that school
    (int_attendance_events' 'not enrolled' reason) is blocking above
    max_attendance_outside_span_share (2% by default), naming the schools; unlinked rows are
    not in the share (their enrollment cannot be checked)."""
    reason = "student not enrolled at that school on that date"

    def outside(n: int) -> Callable[[dict[str, Table]], None]:
        def change(t: dict[str, Table]) -> None:
            events = t["intermediate.int_attendance_events"].rows
            key, school = events[0][0], events[0][1]
            for i in range(94):  # 100 linked rows in all, with the 6 clean ones
                events.append((key, school, 2026, SCHOOL_DAYS[i % 5], None, EXC_FILE, 100 + i))
            for i in range(n):  # n of them outside every span (no school year)
                events[6 + i] = (key, "SCH02", None, SCHOOL_DAYS[0], reason, EXC_FILE, 100 + i)
            for i in range(20):  # not linked: outside the share either way
                events.append(
                    (None, school, None, SCHOOL_DAYS[0], "student not linked", EXC_FILE, 500 + i)
                )

        return change

    assert check(tmp_path, "attendance_enrollment_coverage", outside(2)).success  # 2%
    result = check(tmp_path, "attendance_enrollment_coverage", outside(3))  # 3%
    rule = "unexpected_rows_expectation:attendance_outside_enrollment_spans"
    assert failed(result) == {rule: 3}
    assert result.blocked
    assert result.outcome(rule).named == "SCH02"
    lenient = QualitySettings(max_attendance_outside_span_share=0.05)
    assert check(tmp_path, "attendance_enrollment_coverage", outside(3), lenient).success


def test_students_without_a_span_fail_once_per_student_naming_the_school(
    tmp_path: Path,
) -> None:
    def change(t: dict[str, Table]) -> None:
        t["intermediate.int_students_without_span"].rows.append(("SCH02", "School SCH02", 3))

    result = check(tmp_path, "int_students_without_span", change)
    rule = "unexpected_rows_expectation:students_without_enrollment_span"
    assert failed(result) == {rule: 3}
    assert result.blocked
    assert result.outcome(rule).named == "SCH02 School SCH02"


def test_implausible_birth_dates_warn_with_a_count_per_source(tmp_path: Path) -> None:
    def change(t: dict[str, Table]) -> None:
        demographics = t["staging.stg_sis__demographics"].rows
        demographics[0] = (demographics[0][0], date(1900, 1, 1), *demographics[0][2:])
        demographics[1] = (demographics[1][0], date(2099, 12, 31), *demographics[1][2:])
        demographics[2] = (demographics[2][0], date(1990, 1, 1), *demographics[2][2:])

    result = check(tmp_path, "stg_sis__demographics", change)
    assert failed(result) == {"unexpected_rows_expectation:implausible_birth_date": 2}
    assert not result.blocked
    strict = QualitySettings(min_birth_year=2016)
    result = check(tmp_path, "stg_assessment__state_results", settings=strict)
    assert failed(result) == {"unexpected_rows_expectation:implausible_birth_date": 6}


def test_results_for_a_year_without_calendar_or_enrollment_warn_naming_the_year(
    tmp_path: Path,
) -> None:
    def change(t: dict[str, Table]) -> None:
        results = t["marts.fct_assessment_result"].rows
        results.append(("st99", "state", *results[0][2:4], 2031, *results[0][5:]))

    result = check(tmp_path, "fct_assessment_result", change)
    assert failed(result) == {
        "unexpected_rows_expectation:school_year_without_calendar_or_enrollment": 1
    }
    assert not result.blocked
    outcome = result.outcome(
        "unexpected_rows_expectation:school_year_without_calendar_or_enrollment"
    )
    assert "2031" in str(outcome.named)
