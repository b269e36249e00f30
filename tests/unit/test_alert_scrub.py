"""FERPA in the steward alerts: student names, birth dates and IDs are scrubbed from what an email
says, and an alert still holding one is withheld."""

from __future__ import annotations

from pathlib import Path

import pytest

import settings as stewards
from alerts import (
    CheckFailure,
    StudentDataError,
    assert_no_student_data,
    compose_domain_alert,
    compose_run_failure,
    scrub_error_message,
    scrub_student_data,
    send_alerts,
)
from tests.fixtures.alerts import (
    DUP_ID,
    NIGHT,
    NO_SMTP,
    body_of,
)

EXAMPLE = stewards.EXAMPLE_CONFIG


# ─── FERPA ───────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("student 1234567 absent 03/04/2012", "student [id removed] absent [date removed]"),
        ("born 2012-03-04", "born [date removed]"),
        ("born March 4, 2012", "born [date removed]"),
        ("born 4 Mar 2012", "born [date removed]"),
        ("sourcedId S0012345", "sourcedId [id removed]"),
        ("20120304", "[id removed]"),
        ("ssn 123-45-6789", "ssn [id removed]"),
        ("email ana.g@students.example.org", "email [email removed]"),
        ("3 unmapped codes: EXC, 7T", "3 unmapped codes: EXC, 7T"),
        ("null rate 0.000123, 1,234 rows", "null rate 0.000123, 1,234 rows"),
        ("school 0412, grade 05", "school 0412, grade 05"),
    ],
)
def test_scrub_student_data(raw: str, expected: str) -> None:
    assert scrub_student_data(raw) == expected


def test_scrub_removes_forbidden_values_case_insensitively() -> None:
    text = "Flagged: Ana GARCIA-Lopez and ana garcia-lopez; garcia is fine in 'garcias'"
    scrubbed = scrub_student_data(text, ["Ana Garcia-Lopez"])
    assert scrubbed == "Flagged: [removed] and [removed]; garcia is fine in 'garcias'"


def test_assert_no_student_data_names_no_value() -> None:
    assert_no_student_data("2 checks failed", ["Ana Garcia", "2012-03-04"])
    with pytest.raises(StudentDataError) as info:
        assert_no_student_data("row of ana garcia", ["Ana Garcia", "2012-03-04"])
    assert "garcia" not in str(info.value).lower()


def test_observed_values_are_scrubbed_in_the_email(config) -> None:
    leaky = CheckFailure(
        domain="sis",
        check_name="birth_date_parses",
        asset="stg_sis__demographics",
        severity="blocking",
        observed="e.g. Ana Garcia, 2012-03-04, ID 9876543210",
        unexpected_count=1,
        meaning="Birth dates must parse as dates.",
    )
    msg = compose_domain_alert(
        "sis",
        [leaky],
        [],
        run_id="r",
        recipients=config.domain("sis").stewards,
        now=NIGHT,
        forbidden=["Ana Garcia"],
    )
    body = body_of(msg)
    for value in ("Ana Garcia", "2012-03-04", "9876543210"):
        assert value not in body
    assert "Observed:      e.g. [removed], [date removed], ID [id removed]" in body


def test_alert_holding_a_forbidden_value_is_withheld(config, tmp_path: Path) -> None:
    # the run id is not scrubbed (it is ours), so a forbidden value there trips the final guard
    report = send_alerts(
        [DUP_ID],
        [],
        config,
        "run-for-9876543",
        state_dir=tmp_path,
        now=NIGHT,
        env=NO_SMTP,
        forbidden=["9876543"],
    )
    assert [d.status for d in report.deliveries] == ["withheld"]
    assert not (tmp_path / "outbox").exists()


def test_run_failure_error_text_is_scrubbed(config) -> None:
    error = ValueError(
        "Conversion Error: could not convert 'Garcia' to DATE in 'main.stg_sis__users' "
        "(row 88812345, value 13/45/2012)"
    )
    body = body_of(compose_run_failure(error, run_id="r", recipients=config.district_it))
    assert "Garcia" not in body and "88812345" not in body and "13/45/2012" not in body
    assert "'main.stg_sis__users'" in body
    assert scrub_error_message("in 'sis__users' for 'Bill'") == "in 'sis__users' for '…'"


def test_a_run_failure_says_whether_the_run_still_published(config) -> None:
    """A source database's pull failing leaves the rest of the run to publish: district IT's
    email then says the marts WERE published, not that nothing was."""
    error = RuntimeError("connection refused")
    held = body_of(compose_run_failure(error, run_id="r", recipients=config.district_it))
    went_on = body_of(
        compose_run_failure(error, run_id="r", recipients=config.district_it, published=True)
    )
    assert "nothing from this run was published" in held
    assert "today's marts WERE published" in went_on
    assert "nothing from this run was published" not in went_on
