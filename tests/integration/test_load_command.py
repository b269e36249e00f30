"""`districtwide load` as a district runs it (a subprocess, the instance of `$DAGSTER_HOME`): it
loads what waits in landing, prints the summary, tells the steward of a set-aside file and
district IT of unrecognized files once, and exits non-zero when a blocking check held the
publication back (the served copy kept whole)."""

from __future__ import annotations

import os
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from connectors.home import Home
from serving.publish import content_checksum
from settings import load_config
from tests.conftest import REPO, generate

pytestmark = pytest.mark.integration

BAD_STUDENTS = (
    "StuNum,LastName,FirstName,BirthDate,Grade,SchoolCode,SisNumber,Stu_Num\n"
    "1,X,Y,01/02/2015,3,101,,1\n"
)
ROLES = "sourcedId,roleType,userSourcedId,orgSourcedId\nr1,primary,u1,o1\n"
NO_HEADER = "S7654321,Doe,Ann,2014-03-02\n"


def districtwide_load(home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DISTRICTWIDE_", "DAGSTER_"))
    }
    env |= {"DISTRICTWIDE_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    return subprocess.run(
        [sys.executable, "-m", "districtwide", "load"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def outbox(home: Path) -> dict[str, list]:
    """Subject prefix → the messages in the alert outbox."""
    out: dict[str, list] = {}
    for path in sorted((home / "alerts" / "outbox").glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        out.setdefault(" ".join(str(message["Subject"]).split()), []).append(message)
    return out


def test_districtwide_load_summarises_tells_each_file_once_and_fails_when_blocked(
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

    # The next night: the same files, a state file cut short (a blocking check fails).
    state_file = next((home.landing / "assessment").glob("state_assessment_*.csv"))
    lines = state_file.read_text().splitlines(keepends=True)
    state_file.write_text("".join(lines[: len(lines) * 2 // 5]))

    second = districtwide_load(tmp_path)

    assert second.returncode == 1, second.stdout[-3000:]
    out = second.stdout
    assert "config/district.yaml" not in second.stdout + second.stderr
    assert "FAILED" in out and "NOT published: blocking check(s) failed" in out
    assert "assessment_file_loads" in out
    assert "set aside (earlier, unchanged): attendance/students/" in out
    assert "unrecognized (earlier, unchanged): sis/extra/roles.csv" in out
    assert content_checksum(home.serving) == served, "a blocked load keeps the served copy"
    again = outbox(tmp_path)
    file_mails = [m for k, v in again.items() if "set aside" in k or "no layout" in k for m in v]
    assert len(file_mails) == 2, "each file is told once"
    assert (tmp_path / "dagster").is_dir(), "the run is kept in $DAGSTER_HOME's instance"
