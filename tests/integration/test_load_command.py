"""`districtwide load` as a district runs it (a subprocess, the instance of `$DAGSTER_HOME`): it
loads what waits in landing, prints the summary, tells the steward of a set-aside file and
district IT of unrecognized files once; a blocking check failing on one source's new file holds
back that file only (the others publish); a failed run exits 1 and keeps the served copy."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import duckdb
import pytest

from connectors.home import Home
from serving.publish import content_checksum
from settings import load_config
from tests.conftest import generate
from tests.fixtures.cli import districtwide_load

pytestmark = pytest.mark.integration

BAD_STUDENTS = (
    "StuNum,LastName,FirstName,BirthDate,Grade,SchoolCode,SisNumber,Stu_Num\n"
    "1,X,Y,01/02/2015,3,101,,1\n"
)
ROLES = "sourcedId,roleType,userSourcedId,orgSourcedId\nr1,primary,u1,o1\n"
NO_HEADER = "S7654321,Doe,Ann,2014-03-02\n"


def outbox(home: Path) -> dict[str, list]:
    """Subject prefix → the messages in the alert outbox."""
    out: dict[str, list] = {}
    for path in sorted((home / "alerts" / "outbox").glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        out.setdefault(" ".join(str(message["Subject"]).split()), []).append(message)
    return out


def test_districtwide_load_summarises_tells_each_file_once_and_holds_back_one_source(
    tmp_path: Path,
) -> None:
    generate(tmp_path, 300, 5, "--clean")
    home = Home(tmp_path)
    drop = {
        "attendance/students/attendance_students_extra.csv": BAD_STUDENTS,
        "sis/extra/roles.csv": ROLES,
        "sis/export.csv": NO_HEADER,
    }
    for name, text in drop.items():
        (home.landing / name).parent.mkdir(parents=True, exist_ok=True)
        (home.landing / name).write_text(text)

    first = districtwide_load(tmp_path)

    said = first.stdout + first.stderr
    assert first.returncode == 0, said[-3000:]
    assert said.count("config/district.yaml from district.example.yaml") == 1
    out = first.stdout
    assert "succeeded" in out and "The marts were published" in out
    assert "set aside (new): attendance/students/attendance_students_extra.csv: line 1" in out
    assert "unrecognized (new): sis/extra/roles.csv: header (4 columns): sourcedId" in out
    assert "unrecognized (new): sis/export.csv: its first line holds values" in out
    assert "$DISTRICTWIDE_HOME/config/layouts/" in out
    for heading in ("Files in landing:", "Rows per mart:", "Identity:", "Elapsed:", "Warehouse"):
        assert heading in out
    served = content_checksum(home.serving)
    assert served_sis_duplicates(home) == 0

    mails = outbox(tmp_path)
    config = load_config(tmp_path / "config" / "district.yaml")
    subject = "[districtwide] attendance: file set aside: attendance/students/"
    [aside] = mails[subject + "attendance_students_extra.csv"]
    assert {a.addr_spec for a in aside["To"].addresses} == {
        c.email for c in config.domains["attendance"].stewards
    }
    assert "rename or remove one of them" in aside.get_content()
    [unknown] = mails["[districtwide] 2 delivered files recognized by no layout"]
    assert "S7654321" not in unknown.get_content() and "Doe" not in unknown.get_content()

    # The next night: the same files, a state file cut short (a blocking check fails on it) and
    # a new SIS users file: the state file is held back, the SIS data published.
    state_file = next((home.landing / "assessment").glob("state_assessment_*.csv"))
    lines = state_file.read_text().splitlines(keepends=True)
    state_file.write_text("".join(lines[: len(lines) * 2 // 5]))
    users = home.landing / "sis" / "users.csv"
    users.write_text(users.read_text() + users.read_text().splitlines(keepends=True)[1])
    results_before = served_rows(home, "fct_assessment_result")

    second = districtwide_load(tmp_path)

    assert second.returncode == 0, second.stdout[-3000:]
    out = second.stdout
    assert "config/district.yaml" not in second.stdout + second.stderr
    assert "The marts were published" in out and "previous data of assessment" in out
    assert f"held back (new): assessment/{state_file.name}" in out
    assert "rows_dropped_since_previous_load" in out
    assert "set aside (earlier, unchanged): attendance/students/" in out
    assert "unrecognized (earlier, unchanged): sis/extra/roles.csv" in out
    # The SIS's new file is published (its repeated row, quarantined, is counted in the served
    # copy); the held state file's rows are not: the previous delivery stays in effect.
    assert served_sis_duplicates(home) == 1, "the other sources' new data is published"
    assert served_rows(home, "fct_assessment_result") == results_before, "the held file's is not"
    again = outbox(tmp_path)
    [held] = again[f"[districtwide] assessment: file held back: assessment/{state_file.name}"]
    assert "previous good delivery of this file stays in effect" in held.get_content()
    file_mails = [m for k, v in again.items() if "set aside" in k or "no layout" in k for m in v]
    assert len(file_mails) == 2, "each file is told once"
    assert (tmp_path / "dagster").is_dir(), "the run is kept in $DAGSTER_HOME's instance"

    # A run that fails (the marts' database file unusable): exit 1, the served copy kept.
    served = content_checksum(home.serving)
    marts = home.warehouse.with_name("marts.duckdb")
    marts.unlink()
    marts.mkdir()
    users.write_text(users.read_text() + users.read_text().splitlines(keepends=True)[2])

    third = districtwide_load(tmp_path)

    assert third.returncode == 1, third.stdout[-3000:]
    assert "FAILED" in third.stdout and "NOT published" in third.stdout
    assert content_checksum(home.serving) == served


def served_sis_duplicates(home: Home) -> int:
    with duckdb.connect(str(home.serving), read_only=True) as con:
        return con.execute(
            "select coalesce(sum(n_rows), 0) from marts.rpt_quarantine_by_reason "
            "where source_system = 'sis' and entity = 'users' and reason = 'duplicate row'"
        ).fetchone()[0]


def served_rows(home: Home, mart: str) -> int:
    with duckdb.connect(str(home.serving), read_only=True) as con:
        return con.execute(f"select count(*) from marts.{mart}").fetchone()[0]
