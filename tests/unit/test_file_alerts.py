"""Emails about delivered files: a set-aside (or held back) file to its source's stewards, naming
the file, what is wrong and how to fix it, once per file bytes; unrecognized files to district
IT, never quoting a header line that holds a student's record. Which blocking failures hold back
one source's new files rather than the whole publication."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

import pytest

from alerts import OutboxTransport
from alerts.compose_files import compose_set_aside, compose_unrecognized
from alerts.send_files import send_file_alerts
from connectors.problems import Closest, FileProblem, fix_hint, header_text, looks_like_data
from expectations import SuiteResult, SuiteSpec, all_suites
from expectations.result import ExpectationOutcome
from orchestration.defs.quality.holdback import sources_to_hold
from settings import EXAMPLE_CONFIG, load_config

CONFIG = load_config(EXAMPLE_CONFIG)
SEEN = datetime(2026, 12, 1, 2, 0)
NOW = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)

DUPLICATE_HEADER = FileProblem(
    kind="set_aside",
    source_path="attendance/students/attendance_students.csv",
    sha256="a" * 64,
    source="attendance",
    error="attendance/students/attendance_students.csv: line 1, column 8: header 'Stu_Num' is "
    "the same name as column 1 ('StuNum'); rename one of them",
    seen_at=SEEN,
    layout="districtwide_attendance_students",
)
BROKEN_QUOTES = FileProblem(
    kind="set_aside",
    source_path="sis/users.csv",
    sha256="b" * 64,
    source="sis",
    error='sis/users.csv: line 9, column 3: unterminated quote in \'Jane "JJ" 2014-03-02 '
    "S1234567'",
    seen_at=SEEN,
    layout="oneroster_1_1_users",
)
ROLES = FileProblem(
    kind="unrecognized",
    source_path="sis/roles.csv",
    sha256="c" * 64,
    source="sis",
    error="sis/roles.csv: line 1: no layout matches its header (4 columns)",
    seen_at=SEEN,
    header=("sourcedId", "roleType", "userSourcedId", "orgSourcedId"),
    closest=(Closest("oneroster_1_1_enrollments", ("classSourcedId", "role")),),
)
NO_HEADER = FileProblem(
    kind="unrecognized",
    source_path="sis/export.csv",
    sha256="d" * 64,
    source="sis",
    error="sis/export.csv: line 1: no layout matches its header (4 columns)",
    seen_at=SEEN,
    header=(),
    header_is_data=True,
)


def recipients(message: EmailMessage) -> set[str]:
    return {address for _, address in getaddresses([str(message["To"])])}


def read(path: Path) -> EmailMessage:
    return message_from_bytes(path.read_bytes(), policy=policy.default)


def stewards(source: str) -> set[str]:
    return {c.email for c in CONFIG.domains[source].stewards}


@pytest.mark.parametrize(
    ("error", "says"),
    [
        ("x.csv: line 1: the file is empty (no header line)", "re-export"),
        ("x.csv: line 1: binary data, not a delimited text file", "export it as CSV"),
        ("x.csv: line 1, column 8: header 'a' is the same name as column 1", "rename or remove"),
        ("x.csv: line 9: unterminated quote", "quoted"),
        ("x.csv: line 4, column 2: date '13/02/2024' is not in the format MM/DD/YYYY", "DD/MM"),
        ("x.csv: line 1: no layout matches its header", "config/layouts/"),
        ("something nobody foresaw", "docs/sources.md"),
    ],
)
def test_each_kind_of_error_has_its_fix(error: str, says: str) -> None:
    assert says in fix_hint(error)


def test_a_header_line_holding_values_is_data() -> None:
    assert looks_like_data(["S1234567", "Smith", "Jane", "2014-03-02"])
    assert looks_like_data(["Smith", "Jane", "jane.smith@example.org"])
    assert not looks_like_data(["sourcedId", "roleType", "Student_Number", "DOB"])
    assert "not shown" in header_text(NO_HEADER)


def test_the_set_aside_email_names_file_error_and_fix_for_the_sources_stewards() -> None:
    message = compose_set_aside(
        DUPLICATE_HEADER,
        run_id="run-1",
        recipients=CONFIG.domains["attendance"].stewards,
        sender="districtwide@example.org",
        now=NOW,
    )
    body = message.get_content()
    assert "attendance_students.csv" in str(message["Subject"])
    assert "File:            landing/attendance/students/attendance_students.csv" in body
    # On the header line, the column names it quotes are kept: they are not student data.
    assert "line 1, column 8: header 'Stu_Num' is the same name as column 1 ('StuNum')" in body
    assert "How to fix it:   Two header columns have the same name" in body
    assert "previous good delivery of this file stays in effect" in body
    assert recipients(message) == stewards("attendance")


def test_a_value_quoted_by_an_error_below_the_header_never_reaches_the_email() -> None:
    message = compose_set_aside(
        BROKEN_QUOTES,
        run_id="run-1",
        recipients=CONFIG.domains["sis"].stewards,
        sender="districtwide@example.org",
        now=NOW,
        forbidden=["Jane"],
    )
    body = message.get_content()
    assert "line 9, column 3: unterminated quote" in body
    for value in ("Jane", "2014-03-02", "S1234567", "JJ"):
        assert value not in body


def test_unrecognized_files_tell_district_it_the_header_the_closest_layouts_and_where_to_add_one():
    message = compose_unrecognized(
        [ROLES, NO_HEADER],
        run_id="run-1",
        recipients=CONFIG.district_it,
        sender="districtwide@example.org",
        now=NOW,
    )
    body = message.get_content()
    assert recipients(message) == {c.email for c in CONFIG.district_it}
    assert "header (4 columns): sourcedId, roleType, userSourcedId, orgSourcedId" in body
    assert "oneroster_1_1_enrollments, which lacks classSourcedId, role" in body
    assert "$DISTRICTWIDE_HOME/config/layouts/" in body
    assert "landing/sis/export.csv" in body
    assert "re-export the file with its header row" in body


def test_each_file_is_told_once_per_bytes(tmp_path: Path) -> None:
    outbox = OutboxTransport(tmp_path / "outbox")

    def send(problems: list[FileProblem], run_id: str) -> list:
        report = send_file_alerts(
            problems, CONFIG, run_id, state_dir=tmp_path, now=NOW, transport=outbox
        )
        return report.deliveries

    first = send([DUPLICATE_HEADER, ROLES, NO_HEADER], "run-1")
    assert [(d.kind, d.status, d.domain) for d in first] == [
        ("file", "outbox", "attendance"),
        ("file", "outbox", None),
    ]
    steward_email = read(first[0].path)
    assert recipients(steward_email) == stewards("attendance")
    assert recipients(read(first[1].path)) == {c.email for c in CONFIG.district_it}
    assert "2 delivered files" in str(read(first[1].path)["Subject"])

    # The next nights: the same bytes, nothing said again.
    assert send([DUPLICATE_HEADER, ROLES, NO_HEADER], "run-2") == []
    # A corrected file replaced by new, still bad, bytes: told again; the others still not.
    again = FileProblem(**{**DUPLICATE_HEADER.__dict__, "sha256": "e" * 64})
    third = send([again, ROLES, NO_HEADER], "run-3")
    assert [(d.domain, d.checks) for d in third] == [("attendance", (again.source_path,))]
    # Fixed, then the old bad bytes delivered once more: a new delivery, told again.
    assert send([ROLES, NO_HEADER], "run-4") == []
    assert [d.domain for d in send([DUPLICATE_HEADER, ROLES, NO_HEADER], "run-5")] == ["attendance"]


def no_final_line_ending(name: str, sha: str) -> FileProblem:
    return FileProblem(
        kind="warning",
        source_path=f"sis/{name}",
        sha256=sha * 64,
        source="sis",
        error=f"sis/{name}: line 6: no line ending after the last line; the file loaded whole",
        seen_at=SEEN,
        layout="oneroster_1_1_orgs",
    )


def test_a_sources_files_loaded_with_a_warning_go_in_one_email(tmp_path: Path) -> None:
    """A OneRoster export of files all ending without a line ending: one email to the SIS
    stewards naming each file, not one per file; each file is then told once per bytes."""
    outbox = OutboxTransport(tmp_path / "outbox")
    warned = [no_final_line_ending(n, c) for n, c in [("orgs.csv", "1"), ("classes.csv", "2")]]

    report = send_file_alerts(
        [*warned, DUPLICATE_HEADER], CONFIG, "run-1", state_dir=tmp_path, now=NOW, transport=outbox
    )

    assert [(d.domain, d.checks) for d in report.deliveries] == [
        ("sis", ("sis/orgs.csv", "sis/classes.csv")),
        ("attendance", (DUPLICATE_HEADER.source_path,)),
    ]
    digest = read(report.deliveries[0].path)
    assert str(digest["Subject"]) == "[districtwide] sis: 2 files loaded with a warning"
    assert recipients(digest) == stewards("sis")
    body = digest.get_content()
    assert "1. landing/sis/orgs.csv" in body and "2. landing/sis/classes.csv" in body
    assert body.count("no line ending after the last line") == 2
    again = send_file_alerts(warned, CONFIG, "run-2", state_dir=tmp_path, now=NOW, transport=outbox)
    assert again.deliveries == []


HELD = FileProblem(
    kind="held",
    source_path="assessment/state_assessment_2026.csv",
    sha256="f" * 64,
    source="assessment",
    error="assessment/state_assessment_2026.csv: held back: blocking check(s) failed: "
    "assessment_file_loads (rows_dropped_since_previous_load)",
    seen_at=SEEN,
    layout="districtwide_state_results",
)


def test_a_held_back_file_tells_its_steward_which_check_held_it() -> None:
    message = compose_set_aside(
        HELD,
        run_id="run-1",
        recipients=CONFIG.domains["assessment"].stewards,
        sender="districtwide@example.org",
        now=NOW,
    )
    body = message.get_content()
    assert "file held back: assessment/state_assessment_2026.csv" in str(message["Subject"])
    assert "failed a blocking quality check, so its new data was held back" in body
    assert "rows_dropped_since_previous_load" in body
    assert "previous good delivery of this file stays in effect" in body


def outcome(name: str, blocking: bool, success: bool) -> ExpectationOutcome:
    severity = "blocking" if blocking else "warning"
    return ExpectationOutcome(name, "x", None, success, None, 3, None, 10, "meaning", severity)


def result(suite: SuiteSpec, *outcomes: ExpectationOutcome) -> SuiteResult:
    return SuiteResult(
        suite.name, suite.domain, suite.asset_key, suite.table, "run", SEEN, 0.1, outcomes
    )


def test_only_failures_of_a_sources_own_data_hold_back_that_source() -> None:
    suites = {suite.name: suite for suite in all_suites()}
    deliveries = suites["assessment_file_loads"]
    staging = suites["stg_sis__users"]
    mart = next(s for s in suites.values() if s.schema == "marts")
    dropped = outcome("rows_dropped", blocking=True, success=False)
    passed = outcome("rows_dropped", blocking=True, success=True)
    warned = outcome("file_set_aside", blocking=False, success=False)

    assert sources_to_hold([result(deliveries, dropped)], suites) == {"assessment"}
    assert sources_to_hold([result(deliveries, dropped), result(staging, dropped)], suites) == {
        "assessment",
        "sis",
    }
    # A warning holds nothing back; a failing mart cannot be pinned on one source's files.
    assert sources_to_hold([result(deliveries, passed, warned)], suites) == set()
    assert sources_to_hold([result(deliveries, dropped), result(mart, dropped)], suites) is None
