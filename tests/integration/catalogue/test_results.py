"""Fault catalogue, results (issue 17 points 2 and 8): corrected files sent under a new name,
retraction, resent attendance, implausible birth dates and years, IDs padded with zeros.

Each case loads a copy of one generated 300-student district through the consolidated load
(Dagster, dbt, the quality suites), sends the stewards' emails over real SMTP (aiosmtpd) and
checks the message, the alert where one is due and that nothing is lost (raw rows = staged +
quarantined rows of the table the case touches).
"""

from __future__ import annotations

import csv
import email
import io
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from dagster import DagsterInstance

from alerts.after_run import alert_after_run
from connectors import warehouse
from connectors.home import Home
from devtools.demo import run_consolidated_load
from settings import load_config
from tests.conftest import REPO, generate
from tests.integration.test_quality_gates import STEWARDS, student_data, write_config

pytestmark = [pytest.mark.integration, pytest.mark.smtp]

STATE = "assessment/state_assessment_2026.csv"
CORRECTED = "assessment/state_assessment_2026_corrected.csv"


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"

    def to(self, address: str) -> list[str]:
        """The text of every message sent to `address` (subject and body)."""
        return [
            f"{message['Subject']}\n{_text(message)}".replace("\r\n", "\n")
            for rcpt, message in self.messages
            if address in rcpt
        ]


def _text(message: Message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    return "\n".join(
        part.get_payload(decode=True).decode("utf-8", "replace").replace("\r\n", "\n")
        for part in parts
        if part.get_content_type() == "text/plain"
    )


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DISTRICTWIDE_SMTP_HOST", "127.0.0.1")
        env.setenv("DISTRICTWIDE_SMTP_PORT", str(port))
        env.setenv("DISTRICTWIDE_SMTP_TLS", "none")
        env.setenv("DISTRICTWIDE_SMTP_FROM", "districtwide@example.org")
        yield handler
    controller.stop()


def load(home: Home, inbox: Inbox | None = None):
    """The consolidated load on `home`; with `inbox`, the stewards' emails of the run."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DISTRICTWIDE_HOME", str(home.root))
        instance = DagsterInstance.ephemeral()
        result = run_consolidated_load(instance)
        if inbox is not None:
            inbox.messages.clear()
            config = load_config(home.root / "config" / "district.yaml")
            alert_after_run(instance, result.run_id, home, config)
    return result


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 300-student district, loaded once; each case loads a copy of it."""
    root = tmp_path_factory.mktemp("results-template")
    generate(root, 300, 5)
    write_config(root / "config" / "district.yaml")
    assert load(Home(root)).success
    return root


def clone(template: Path, dest: Path) -> Home:
    shutil.copytree(template, dest, symlinks=True)
    return Home(dest)


def scalar(home: Home, sql: str) -> object:
    with warehouse.connect(home.warehouse) as con:
        return con.execute(sql).fetchone()[0]


def rows(home: Home, sql: str) -> list[tuple]:
    with warehouse.connect(home.warehouse) as con:
        return con.execute(sql).fetchall()


def nothing_lost(home: Home, source: str, entity: str) -> None:
    """Raw rows of the loads in effect = staged rows + rows quarantined at parse or staging."""
    table = f"{source}__{entity}"
    raw = scalar(
        home,
        f"""
        select coalesce(sum(rows_total), 0) from audit.file_loads
        where raw_table = '{table}' and status = 'loaded'
        and load_id in (select max(load_id) from audit.file_loads
            where raw_table = '{table}' and status = 'loaded' group by source_file)
        """,
    )
    staged = scalar(home, f"select count(*) from staging.stg_{table}")
    quarantined = scalar(
        home,
        f"select count(*) from quarantine.quarantine_{source} "
        f"where entity = '{entity}' and stage in ('parse', 'staging')",
    )
    assert raw == staged + quarantined, (table, raw, staged, quarantined)
    assert raw > 0


def no_student_data(home: Home, texts: list[str]) -> None:
    values = student_data(home.root / "truth")
    for text in texts:
        leaked = [v for v in values if v in text]
        assert not leaked, leaked[:3]


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    return lines[0], lines[1:]


def write_csv(path: Path, header: list[str], body: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *body])
    path.write_text(out.getvalue(), encoding="utf-8")


def state_results(home: Home) -> tuple[int, int]:
    return rows(
        home,
        "select count(*), count(*) filter (where is_tested) from marts.fct_assessment_result "
        "where assessment = 'state'",
    )[0]


@pytest.fixture(scope="module")
def corrected(template: Path, tmp_path_factory: pytest.TempPathFactory, inbox: Inbox):
    """The district after `state_assessment_2026_corrected.csv` arrived beside the original:
    every row again, one scale score changed by one point (inside its level's band)."""
    home = clone(template, tmp_path_factory.mktemp("corrected") / "home")
    before = state_results(home)
    line, score, low, high = rows(
        home,
        "select s._line_number, s.scale_score, s.min_scale_score, s.max_scale_score "
        "from staging.stg_assessment__state_results s "
        "join marts.fct_assessment_result f on f.line_number = s._line_number "
        "and f.assessment = 'state' and f.academic_subject = s.academic_subject "
        "where s.scale_score > s.min_scale_score + 1 and s.scale_score < s.max_scale_score - 1 "
        "order by 1 limit 1",
    )[0]
    header, body = read_csv(home.landing / STATE)
    column = header.index("ScaleScore")
    assert body[line - 2][column] == str(score)
    body[line - 2][column] = str(score + 1)
    write_csv(home.landing / CORRECTED, header, body)
    result = load(home, inbox)
    texts = inbox.to(STEWARDS["assessment"])
    return home, result, before, line, score, texts


def test_case_17_2_a_corrected_file_under_a_new_name_replaces_the_results(corrected) -> None:
    """Case 17.2 corrected file under a new name: `state_assessment_2026_corrected.csv` beside
    the original replaces its results (n tested unchanged, never doubled), the original's rows
    are quarantined as "superseded by a newer delivery", the blocking natural-key test passes and
    the assessment stewards are told how many results were replaced, without student data."""
    home, result, before, line, score, texts = corrected
    assert result.success
    assert state_results(home) == before
    assert (
        scalar(
            home,
            "select count(*) from marts.fct_assessment_result where assessment = 'state' "
            "and source_file = 'state_assessment_2026.csv'",
        )
        == 0
    )
    assert rows(
        home,
        "select scale_score from marts.fct_assessment_result where assessment = 'state' "
        f"and source_file = 'state_assessment_2026_corrected.csv' and line_number = {line}",
    ) == [(score + 1,)]
    superseded, original_rows = rows(
        home,
        "select count(*) filter (where _quarantine_reason = 'superseded by a newer delivery'), "
        "count(*) filter (where _copy_number = 1) from staging.base_assessment__state_results "
        "where _source_file = 'state_assessment_2026.csv'",
    )[0]
    assert superseded == original_rows > 0
    nothing_lost(home, "assessment", "state_results")
    # The blocking dbt test on the conformed result's natural key ran and passed.
    assert any("superseded_by_a_newer_delivery" in text for text in texts), texts
    assert any(f"Rows affected: {superseded:,}" in text for text in texts), texts
    no_student_data(home, texts)


def test_case_17_2_deleting_a_file_does_not_retract_it_the_retract_command_does(
    corrected, inbox: Inbox
) -> None:
    """Case 17.2 retraction: deleting the corrected file from landing changes nothing (the archive
    is the record); `districtwide retract <file>` marks its load retracted, says which delivery
    of its name is in effect, and the next load is the original's again; the archive keeps it."""
    home, _, before, line, score, _ = corrected
    (home.landing / CORRECTED).unlink()
    assert load(home).success
    assert (
        scalar(
            home,
            "select count(*) from marts.fct_assessment_result "
            "where source_file = 'state_assessment_2026_corrected.csv'",
        )
        == before[0]
    )

    retract = subprocess.run(
        [sys.executable, "-m", "districtwide", "retract", "state_assessment_2026_corrected.csv"]
        + ["--home", str(home.root), "--reason", "sent by mistake"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert retract.returncode == 0, retract.stderr
    assert "retracted: assessment/state_assessment_2026_corrected.csv" in retract.stdout
    assert "in effect for its name now: no delivery of this name" in retract.stdout
    again = subprocess.run(
        [sys.executable, "-m", "districtwide", "retract", "state_assessment_2026_corrected.csv"]
        + ["--home", str(home.root)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 1 and "no load in effect" in again.stderr

    assert load(home, inbox).success
    assert state_results(home) == before
    assert rows(
        home,
        "select source_file, scale_score from marts.fct_assessment_result "
        f"where assessment = 'state' and line_number = {line} and scale_score in "
        f"({score}, {score + 1})",
    ) == [("state_assessment_2026.csv", score)]
    assert (
        scalar(
            home,
            "select count(*) from quarantine.quarantine_assessment "
            "where reason = 'superseded by a newer delivery'",
        )
        == 0
    )
    status, error, archived = rows(
        home,
        "select status, error, archive_path from audit.file_loads "
        "where source_file = 'state_assessment_2026_corrected.csv'",
    )[0]
    assert status == "retracted" and "sent by mistake" in error
    assert Path(archived).is_file()
    nothing_lost(home, "assessment", "state_results")
    no_student_data(home, inbox.to(STEWARDS["assessment"]))


def test_case_17_2_attendance_resent_under_a_new_name_counts_each_day_once(
    template: Path, tmp_path: Path, inbox: Inbox
) -> None:
    """Case 17.2 attendance resent: the exceptions file sent again under a new name (its rows in
    another order) repeats every day; the daily fact keeps one row per student and day, so days
    absent and chronic absence do not change. Raw = staged + quarantined; no alert about it."""
    home = clone(template, tmp_path / "home")
    days_before = rows(
        home,
        "select count(*), (select sum(n_days_absent) from marts.fct_student_attendance_year) "
        "from marts.fct_attendance_exception_day",
    )[0]
    original = next((home.landing / "attendance").glob("attendance_exceptions_*.csv"))
    # The file's own bytes (Windows-1252), its data lines in reverse order.
    header, *lines = original.read_bytes().splitlines(keepends=True)
    resent = original.with_name("attendance_exceptions_resent.csv")
    resent.write_bytes(header + b"".join(reversed(lines)))
    assert load(home, inbox).success
    assert (
        rows(
            home,
            "select count(*), (select sum(n_days_absent) from marts.fct_student_attendance_year) "
            "from marts.fct_attendance_exception_day",
        )[0]
        == days_before
    )
    # The resent file is the newest delivery of every day it lists: the original's rows wait in
    # quarantine as superseded, none in staging.
    assert rows(home, "select distinct _source_file from staging.stg_attendance__exceptions") == [
        (resent.name,)
    ]
    nothing_lost(home, "attendance", "exceptions")
    texts = inbox.to(STEWARDS["attendance"])
    assert not any("resent" in text for text in texts)
    no_student_data(home, texts)


#: The corrected copy of the attendance exceptions file, under a new name.
ATTENDANCE_CORRECTED = "attendance_exceptions_corrected.csv"


def attendance_days(home: Home, days: list[tuple[str, str]]) -> list[tuple]:
    """(source_code, is_absent) of each (student_key, date) of `days` in the daily fact."""
    return [
        rows(
            home,
            "select source_code, is_absent from marts.fct_attendance_daily "
            f"where student_key = '{key}' and calendar_date = date '{day}'",
        )[0]
        for key, day in days
    ]


@pytest.fixture(scope="module")
def attendance_corrected(template: Path, tmp_path_factory: pytest.TempPathFactory, inbox: Inbox):
    """The district after a corrected copy of the exceptions file arrived under a new name: every
    line again, one absence (A) turned into a tardy (T, present) and one tardy into an absence."""
    home = clone(template, tmp_path_factory.mktemp("attendance-corrected") / "home")
    original = next((home.landing / "attendance").glob("attendance_exceptions_*.csv"))
    absent_before = scalar(home, "select sum(n_days_absent) from marts.fct_student_attendance_year")
    # One linked line per code whose student and day have no other line (so its code is the day's).
    picked = {
        code: rows(
            home,
            f"""
            select e._line_number, cast(e.student_key as varchar),
                   cast(e.attendance_date as varchar)
            from intermediate.int_attendance_events e
            join staging.stg_attendance__exceptions s
                on s._source_file = e._source_file and s._line_number = e._line_number
            where e._conform_reason is null and e.att_code = '{code}'
              and e._source_file = '{original.name}'
              and (select count(*) from staging.stg_attendance__exceptions o
                   where o.att_student_id = s.att_student_id
                     and o.attendance_date = e.attendance_date) = 1
            order by 1 limit 1
            """,
        )[0]
        for code in ("A", "T")
    }
    days = [picked["A"][1:], picked["T"][1:]]
    assert attendance_days(home, days) == [("A", True), ("T", False)]
    # The file's own bytes (Windows-1252, CRLF), the two lines' codes swapped for the other.
    lines = original.read_bytes().split(b"\r\n")
    for code, new in (("A", "T"), ("T", "A")):
        fields = lines[picked[code][0] - 1].split(b",")
        assert fields[3] == code.encode()
        fields[3] = new.encode()
        lines[picked[code][0] - 1] = b",".join(fields)
    (original.parent / ATTENDANCE_CORRECTED).write_bytes(b"\r\n".join(lines))
    result = load(home, inbox)
    texts = inbox.to(STEWARDS["attendance"])
    return home, result, original.name, days, absent_before, texts


def test_case_17_2_a_corrected_attendance_file_under_a_new_name_replaces_the_codes(
    attendance_corrected,
) -> None:
    """Case 17.2 corrected attendance file: a copy of the exceptions file under a new name with an
    absence turned into a tardy and a tardy into an absence is the newest delivery of every
    student, school and day it lists: the marts show its codes (absent -> present, present ->
    absent; days absent in total unchanged), every row of the original waits in quarantine as
    "superseded by a newer delivery", and the attendance stewards are told how many, without
    student data. Raw = staged + quarantined."""
    home, result, original, days, absent_before, texts = attendance_corrected
    assert result.success
    assert attendance_days(home, days) == [("T", False), ("A", True)]
    assert (
        scalar(home, "select sum(n_days_absent) from marts.fct_student_attendance_year")
        == absent_before
    )
    superseded, original_rows = rows(
        home,
        "select count(*) filter (where _quarantine_reason = 'superseded by a newer delivery'), "
        "count(*) filter (where _copy_number = 1) from staging.base_attendance__exceptions "
        f"where _source_file = '{original}'",
    )[0]
    assert superseded == original_rows > 0
    assert (
        scalar(
            home,
            "select count(*) from quarantine.quarantine_attendance "
            f"where source_file = '{original}' and reason = 'superseded by a newer delivery'",
        )
        == superseded
    )
    assert rows(home, "select distinct _source_file from staging.stg_attendance__exceptions") == [
        (ATTENDANCE_CORRECTED,)
    ]
    nothing_lost(home, "attendance", "exceptions")
    assert any("superseded_by_a_newer_delivery" in text for text in texts), texts
    assert any(f"Rows affected: {superseded:,}" in text for text in texts), texts
    no_student_data(home, texts)


def test_case_17_2_retracting_the_attendance_correction_restores_the_original_codes(
    attendance_corrected,
) -> None:
    """Case 17.2 attendance retraction: `districtwide retract` takes the corrected attendance
    file back; the next load shows the original's codes again, nothing is superseded, and raw =
    staged + quarantined."""
    home, _, original, days, absent_before, _ = attendance_corrected
    retract = subprocess.run(
        [sys.executable, "-m", "districtwide", "retract", ATTENDANCE_CORRECTED]
        + ["--home", str(home.root), "--reason", "wrong codes"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert retract.returncode == 0, retract.stderr
    assert f"retracted: attendance/{ATTENDANCE_CORRECTED}" in retract.stdout
    assert load(home).success
    assert attendance_days(home, days) == [("A", True), ("T", False)]
    assert (
        scalar(home, "select sum(n_days_absent) from marts.fct_student_attendance_year")
        == absent_before
    )
    assert (
        scalar(
            home,
            "select count(*) from quarantine.quarantine_attendance "
            "where reason = 'superseded by a newer delivery'",
        )
        == 0
    )
    assert rows(home, "select distinct _source_file from staging.stg_attendance__exceptions") == [
        (original,)
    ]
    nothing_lost(home, "attendance", "exceptions")


@pytest.fixture(scope="module")
def implausible(template: Path, tmp_path_factory: pytest.TempPathFactory, inbox: Inbox):
    """The district with three SIS birth dates made implausible (1900-01-01, 1985-05-05,
    2099-12-31) and a state file for 2031, a year the SIS has no calendar or enrollment for."""
    home = clone(template, tmp_path_factory.mktemp("implausible") / "home")
    header, body = read_csv(home.landing / "sis" / "demographics.csv")
    column = header.index("birthDate")
    for row, value in zip(body[:3], ("1900-01-01", "1985-05-05", "2099-12-31"), strict=True):
        row[column] = value
    write_csv(home.landing / "sis" / "demographics.csv", header, body)
    header, body = read_csv(home.landing / STATE)
    year = header.index("SchoolYear")
    future = [[*row[:year], "2031", *row[year + 1 :]] for row in body[:5]]
    write_csv(home.landing / "assessment" / "state_assessment_2031.csv", header, future)
    result = load(home, inbox)
    return home, result, {a: inbox.to(e) for a, e in STEWARDS.items()}


def test_case_17_8_implausible_birth_dates_warn_the_sis_stewards(implausible) -> None:
    """Case 17.8 implausible birth dates: birth dates before 1990 (quality.min_birth_year) or in
    the future are a warning to the SIS stewards with their count, never the dates or IDs; the
    load publishes and nothing is lost."""
    home, result, texts = implausible
    assert result.success
    sis = texts["sis"]
    assert any("implausible_birth_date" in t and "Rows affected: 3\n" in t for t in sis), sis
    assert not any("1900-01-01" in t or "2099-12-31" in t for t in sis)
    no_student_data(home, sis)
    assert home.serving.is_file()
    nothing_lost(home, "sis", "demographics")


def test_case_17_8_results_for_a_year_without_calendar_or_enrollment_warn(implausible) -> None:
    """Case 17.8 results for a year with no calendar or enrollment: a state file for 2031 loads,
    and the assessment stewards get a warning naming the year and counting its results."""
    home, result, texts = implausible
    assert result.success
    assessment = texts["assessment"]
    rule = "school_year_without_calendar_or_enrollment"
    assert any(rule in t and "2031" in t for t in assessment), assessment
    assert (
        scalar(home, "select count(*) from marts.fct_assessment_result where school_year = 2031")
        > 0
    )
    no_student_data(home, assessment)
    nothing_lost(home, "assessment", "state_results")


def test_case_17_8_ids_padded_with_zeros_match_when_the_setting_says_so(
    template: Path, tmp_path: Path, inbox: Inbox
) -> None:
    """Case 17.8 IDs differing by leading zeros: a state file whose SASIDs carry two extra
    leading zeros links no record by state ID while `identity.student_id_strip_leading_zeros` is
    false (only the exact name and birth date rule still links, and fewer records link), and
    every record it linked by state ID before once the setting names `state_assessment`; nothing
    is lost either way and no email carries student data."""
    home = clone(template, tmp_path / "home")
    linked = scalar(
        home,
        "select count(*) from marts.fct_assessment_result where assessment = 'state' "
        "and student_key is not null",
    )
    by_state_id = scalar(
        home,
        "select count(*) from intermediate.int_identity_matches "
        "where source_system = 'state_assessment' and match_rule = 'state_id'",
    )
    header, body = read_csv(home.landing / STATE)
    sasid = header.index("SASID")
    for row in body:
        if len(row) > sasid and row[sasid]:
            row[sasid] = "00" + row[sasid]
    write_csv(home.landing / STATE, header, body)

    assert load(home, inbox).success
    assert (
        scalar(
            home,
            "select count(*) from intermediate.int_identity_matches "
            "where source_system = 'state_assessment' and match_rule = 'state_id'",
        )
        == 0
    )
    assert (
        scalar(
            home,
            "select count(*) from marts.fct_assessment_result where assessment = 'state' "
            "and student_key is not null",
        )
        < linked
    )
    no_student_data(home, inbox.to(STEWARDS["assessment"]))
    nothing_lost(home, "assessment", "state_results")

    config = home.root / "config" / "district.yaml"
    config.write_text(
        config.read_text() + "identity:\n  student_id_strip_leading_zeros: [state_assessment]\n"
    )
    assert load(home).success
    assert (
        scalar(
            home,
            "select count(*) from intermediate.int_identity_matches "
            "where source_system = 'state_assessment' and match_rule = 'state_id'",
        )
        == by_state_id
    )
    assert (
        scalar(
            home,
            "select count(*) from marts.fct_assessment_result where assessment = 'state' "
            "and student_key is not null",
        )
        == linked
    )
    nothing_lost(home, "assessment", "state_results")
