"""The fault catalogue, landing and intake (issue 17 points 1, 4, 6, 9).

Each case delivers files as a vendor (or an intruder) would, runs the load's landing step
(`connectors.load.load_landing`, with the district's `landing:` settings), then sends the file
alerts exactly as after a run (`alerts.send_files` over `connectors.problems.file_problems`) to a
real SMTP server (aiosmtpd on loopback). It checks the message (file, line, what is wrong), the
alert (who gets it, what it says, no student data), and that nothing is lost: every data line of a
loaded file is a raw row or a reject, a file set aside is archived unchanged and leaves nothing in
raw, and the previous good delivery of its name stays the one dbt reads (`latest_loads`: the
latest `loaded` audit row of the name), so the served marts stay as they were for it.
"""

from __future__ import annotations

import codecs
import hashlib
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

import duckdb
import pytest
from aiosmtpd.controller import Controller
from dagster import AssetKey, materialize

from alerts.send_files import send_file_alerts
from connectors import datalock
from connectors.check import check_paths
from connectors.encoding import per_line_to_utf8
from connectors.home import Home
from connectors.landing import MAX_NAME_BYTES, clean_leftovers
from connectors.layout import load_layouts
from connectors.load import LandingRun, district_layouts, load_landing
from connectors.problems import file_problems
from orchestration.defs.landing.assets import LANDING
from orchestration.resources import DistrictwideHome
from settings import EXAMPLE_CONFIG, DistrictConfig, LandingSettings, load_config
from tests.fixtures.network import free_port

pytestmark = [pytest.mark.integration, pytest.mark.smtp]

REPO = Path(__file__).resolve().parents[3]
CONFIG: DistrictConfig = load_config(EXAMPLE_CONFIG)
LAYOUTS = load_layouts()
HEADER = "StuNum,SchoolCode,AbsenceDate,AttCode,Minutes,Comment\r\n"
ROW = "7000001,101,09/03/2025,A,,ok\r\n"
ORGS = (REPO / "tests/fixtures/layouts/oneroster_1_1/orgs.csv").read_bytes()
USERS = (REPO / "tests/fixtures/layouts/oneroster_1_1/users.csv").read_text(encoding="utf-8")
# Student values the fixtures hold: none may reach an email.
FORBIDDEN = ("Quillfeather", "Vantablack", "Larkspur-Oduya", "Castellane", "7000001", "50001")


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's
        data = bytes(envelope.original_content or envelope.content)
        self.messages.append(message_from_bytes(data, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def tell(home: Home, port: int, run_id: str = "catalogue-run") -> None:
    """The file alerts after a run, as `alerts.after_run` sends them, to the test's SMTP."""
    report = send_file_alerts(
        file_problems(home, district_layouts(home)),
        CONFIG,
        run_id,
        state_dir=home.root / "alerts",
        env={
            "DISTRICTWIDE_SMTP_HOST": "127.0.0.1",
            "DISTRICTWIDE_SMTP_PORT": str(port),
            "DISTRICTWIDE_SMTP_TLS": "none",
            "DISTRICTWIDE_SMTP_FROM": "districtwide-alerts@example.org",
        },
        forbidden=FORBIDDEN,
    )
    assert not report.failed


def to(message: EmailMessage) -> set[str]:
    return {address for _, address in getaddresses([str(message["To"])])}


def stewards(source: str) -> set[str]:
    return {c.email for c in CONFIG.domains[source].stewards}


def district_it() -> set[str]:
    return {c.email for c in CONFIG.district_it}


def assert_no_student_data(message: EmailMessage) -> None:
    text = str(message["Subject"]) + message.get_content()
    assert not [value for value in FORBIDDEN if value in text]


def deliver(home: Home, name: str, data: bytes) -> Path:
    path = home.landing / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def audit(home: Home) -> list[dict]:
    """Every audit row, oldest first."""
    rel = duckdb.sql(
        f"select * from read_parquet('{home.audit}/2*.parquet', union_by_name=true) order by 1"
    )
    return [dict(zip(rel.columns, row, strict=True)) for row in rel.fetchall()]


def latest(home: Home, source_path: str) -> dict:
    return [row for row in audit(home) if row["source_path"] == source_path][-1]


def in_effect(home: Home, raw_table: str, name: str) -> str | None:
    """The load of `name` dbt reads (its macro `latest_loads`): the latest `loaded` one."""
    loads = [
        r["load_id"]
        for r in audit(home)
        if r["raw_table"] == raw_table and r["source_file"] == name and r["status"] == "loaded"
    ]
    return max(loads, default=None)


def raw_lines(home: Home, folder: str, load_id: str | None = None) -> list[int]:
    """`_line_number` of the raw rows of `folder` (`attendance/exceptions`), of one load."""
    if not list((home.raw / folder).glob("2*.parquet")):
        return []
    where = f"where _load_id = '{load_id}'" if load_id else ""
    return [
        n
        for (n,) in duckdb.sql(
            f"select _line_number from '{home.raw}/{folder}/2*.parquet' {where} order by 1"
        ).fetchall()
    ]


def rejects(home: Home, folder: str) -> list[tuple]:
    glob = home.raw / f"{folder}__rejects"
    if not list(glob.glob("2*.parquet")):
        return []
    return duckdb.sql(
        f"select _line_number, _column, _error_type, _error, _raw_line "
        f"from '{glob}/2*.parquet' order by 1"
    ).fetchall()


def assert_nothing_lost(home: Home, record: dict, folder: str, data_lines: int) -> None:
    """Raw rows + rejects of the load = the file's data lines, one for one; archived as is."""
    loaded = len(raw_lines(home, folder, record["load_id"]))
    rejected = len(rejects(home, folder))
    assert loaded + rejected == data_lines == record["rows_total"]
    assert (record["rows_parsed"], record["rows_rejected"]) == (loaded, rejected)


def assert_archived(record: dict, original: bytes) -> None:
    archived = Path(record["archive_path"])
    assert archived.read_bytes() == original
    assert record["sha256"] == hashlib.sha256(original).hexdigest()


def run(home: Home, settings: LandingSettings | None = None) -> LandingRun:
    return load_landing(home, workers=1, settings=settings)


# --- 17.1 encodings ---------------------------------------------------------------------------


def test_one_windows_1252_line_in_a_utf8_users_file_is_read_alone_and_told_by_line(
    tmp_path: Path, inbox
) -> None:
    """Case 17.1 mixed encodings: one Windows-1252 line in a UTF-8 `users.csv` is decoded alone;
    every UTF-8 name stays as delivered (no mojibake), the audit counts the line
    (`utf-8+cp1252`, `mixed_encoding_lines`), and the SIS stewards get one email naming the
    line number, never its content."""
    handler, port = inbox
    home = Home(tmp_path).ensure()
    lines = USERS.splitlines(keepends=True)
    lines[1] = lines[1].replace("Testa", "Jesús Ibáñez")  # UTF-8, as the file is
    lines[3] = lines[3].replace("Pim", "Zoë")  # this one line pasted from a cp1252 program
    data = b"".join(line.encode("cp1252" if n == 3 else "utf-8") for n, line in enumerate(lines))
    deliver(home, "sis/users.csv", data)

    run(home)
    tell(home, port)

    record = latest(home, "sis/users.csv")
    assert (record["status"], record["encoding"], record["mixed_encoding_lines"]) == (
        "loaded",
        "utf-8+cp1252",
        1,
    )
    assert record["warning"] == (
        "sis/users.csv: mixed encodings: 1 line(s) are not UTF-8 and were read as cp1252 "
        "(lines 4); the others are UTF-8"
    )
    names = dict(
        duckdb.sql(
            f"select _line_number, givenName from '{home.raw}/sis/users/2*.parquet'"
        ).fetchall()
    )
    assert (names[2], names[4]) == ("Jesús Ibáñez", "Zoë")
    assert_nothing_lost(home, record, "sis/users", len(lines) - 1)
    assert_archived(record, data)

    [message] = handler.messages
    assert to(message) == stewards("sis")
    assert str(message["Subject"]) == (
        "[districtwide] sis: file loaded with a warning: sis/users.csv"
    )
    body = message.get_content()
    assert "1 line(s) are not UTF-8 and were read as cp1252 (lines 4)" in body
    assert "Zoë" not in body and "Ibáñez" not in body
    assert_no_student_data(message)

    # Told once per file bytes: the next run says nothing new.
    tell(home, port, "catalogue-run-2")
    assert len(handler.messages) == 1


def test_per_line_decoding_leaves_a_clean_utf8_file_to_the_bulk_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Case 17.1 speed: a clean UTF-8 file is never decoded line by line (the archive copy checks
    it in bulk and DuckDB reads the archived bytes); a mixed one visits only its bad lines. Here a
    100,000-line file with one bad line is decoded with the others kept byte for byte."""
    body = "".join(f"{7000000 + n},101,09/03/2025,A,,Renée Ibáñez\r\n" for n in range(100_000))
    bad = "7999999,101,09/03/2025,A,,Zoë\r\n".encode("cp1252")
    data = HEADER.encode() + body.encode() + bad
    source = tmp_path / "x.csv"
    source.write_bytes(data)

    result = per_line_to_utf8(source, tmp_path / "out.csv")

    assert (result.encoding, result.mixed_lines, result.first_mixed) == (
        "utf-8+cp1252",
        1,
        [100_002],
    )
    assert "(lines 100,002)" in (result.warning or "")  # an alert's scrub keeps it
    out = (tmp_path / "out.csv").read_bytes()
    assert out == HEADER.encode() + body.encode() + "7999999,101,09/03/2025,A,,Zoë\r\n".encode()

    home = Home(tmp_path / "home").ensure()
    deliver(home, "attendance/x.csv", HEADER.encode() + body.encode())

    def decoded(*_args: object) -> None:
        raise AssertionError("a clean UTF-8 file went through the per-line decoder")

    monkeypatch.setattr("connectors.load.legacy_to_utf8", decoded)
    run(home)
    record = latest(home, "attendance/x.csv")
    assert (record["encoding"], record["mixed_encoding_lines"], record["warning"]) == (
        "utf-8",
        0,
        None,
    )
    assert record["rows_parsed"] == 100_000


# --- 17.4 truncation ----------------------------------------------------------------------------


def good_attendance(n: int) -> str:
    return HEADER + "".join(
        f"{7000000 + i},101,09/{3 + i % 20:02d}/2025,A,,note {i}\r\n" for i in range(n)
    )


def upto_95(good: str) -> tuple[str, str]:
    """The lines before the one at 95% of the file, and that line."""
    lines = good.splitlines(keepends=True)
    k = int(len(lines) * 0.95)
    return "".join(lines[:k]), lines[k]


CUTS = {
    "cut at 95% inside the last field (the previous file ended with a line ending)": (
        lambda good: upto_95(good)[0] + upto_95(good)[1][:-5],
        "truncated: no line ending after the last line",
    ),
    "cut at 95% mid-line": (
        lambda good: upto_95(good)[0] + upto_95(good)[1][:12],
        "truncated: the last line is short of fields and no line ending",
    ),
    "last line short of fields, with a line ending": (
        lambda good: upto_95(good)[0] + upto_95(good)[1][:12] + "\r\n",
        "truncated: the last line is short of fields (the file was cut short)",
    ),
    "cut inside a quoted last field": (
        lambda good: upto_95(good)[0] + '7000999,101,09/03/2025,A,,"Doctor',
        "truncated: the file ends inside a quoted field of its last line",
    ),
    "quote opened mid-file, never closed": (
        lambda good: upto_95(good.replace("note 100\r\n", '"note 100\r\n', 1))[0],
        "line 102: truncated: a quoted field opened here is never closed",
    ),
}


@pytest.mark.parametrize(("cut", "says"), list(CUTS.values()), ids=list(CUTS))
def test_a_file_cut_short_is_set_aside_and_the_previous_delivery_stays(
    tmp_path: Path, inbox, cut, says: str
) -> None:
    """Case 17.4 truncation: a file cut short (at 95%: inside its last field, mid-line, inside a
    quoted field; a last line short of fields) is set aside whole, naming the line; the previous
    good delivery of its name stays the one in effect; its stewards get one email; another
    source's file in the same run loads."""
    handler, port = inbox
    home = Home(tmp_path).ensure()
    good = good_attendance(400)
    deliver(home, "attendance/attendance_exceptions.csv", good.encode())
    run(home)
    first = latest(home, "attendance/attendance_exceptions.csv")
    assert first["status"] == "loaded" and first["rows_parsed"] == 400

    short = cut(good).encode()
    deliver(home, "attendance/attendance_exceptions.csv", short)
    deliver(home, "sis/orgs.csv", ORGS)
    run(home)
    tell(home, port)

    record = latest(home, "attendance/attendance_exceptions.csv")
    assert record["status"] == "failed"
    assert record["error"].startswith("attendance/attendance_exceptions.csv: line ")
    assert says in record["error"]
    assert_archived(record, short)
    assert raw_lines(home, "attendance/exceptions", record["load_id"]) == []
    assert (
        in_effect(home, "attendance__exceptions", "attendance_exceptions.csv") == (first["load_id"])
    )
    assert len(raw_lines(home, "attendance/exceptions", first["load_id"])) == 400
    assert latest(home, "sis/orgs.csv")["status"] == "loaded"  # other sources go on
    # `districtwide check` says so before a load does.
    [report] = check_paths([home.landing / "attendance/attendance_exceptions.csv"], LAYOUTS)
    if says.startswith("truncated: no line ending"):  # check knows no previous delivery: a warning
        assert "no line ending after the last line" in " ".join(report.warnings)
    else:
        assert says in (report.problem or "")

    [message] = handler.messages
    assert to(message) == stewards("attendance")
    assert str(message["Subject"]) == (
        "[districtwide] attendance: file set aside: attendance/attendance_exceptions.csv"
    )
    body = message.get_content()
    assert says in body
    assert "The file ends in the middle of a record" in body  # the fix
    assert "previous good delivery of this file stays in effect" in body
    assert_no_student_data(message)


def test_a_complete_last_line_without_a_line_ending_loads_and_its_stewards_are_warned(
    tmp_path: Path, inbox
) -> None:
    """Case 17.4, decided: many vendors end their files without a line ending (23 of 80 public
    sample files of edanalytics/earthmover_edfi_bundles, MAP, CMAS and ILEARN among them), so a
    file whose layout's previous file had none either loads whole, and its stewards are warned
    that a cut inside the last field would go unseen. When the previous file of its layout ended
    with one, it is set aside as cut short (the case above); `require_final_line_ending: true`
    always sets it aside."""
    handler, port = inbox
    home = Home(tmp_path).ensure()
    data = good_attendance(40).removesuffix("\r\n").encode()
    deliver(home, "attendance/attendance_exceptions.csv", data)
    run(home)
    tell(home, port)

    record = latest(home, "attendance/attendance_exceptions.csv")
    assert (record["status"], record["rows_parsed"]) == ("loaded", 40)
    assert record["warning"].startswith(
        "attendance/attendance_exceptions.csv: line 41: no line ending after the last line"
    )
    assert_nothing_lost(home, record, "attendance/exceptions", 40)
    assert_archived(record, data)
    [message] = handler.messages
    assert to(message) == stewards("attendance")
    assert "no line ending after the last line" in message.get_content()
    assert_no_student_data(message)

    # The next delivery of that system, again without a line ending: loads, like the first.
    again = good_attendance(41).removesuffix("\r\n").encode()
    deliver(home, "attendance/attendance_exceptions.csv", again)
    run(home)
    assert latest(home, "attendance/attendance_exceptions.csv")["status"] == "loaded"
    # With the district's rule, such a file is set aside however its vendor ends files.
    strict = LandingSettings(require_final_line_ending=True)
    deliver(home, "attendance/attendance_exceptions.csv", good_attendance(42).encode()[:-2])
    run(home, strict)
    record = latest(home, "attendance/attendance_exceptions.csv")
    assert record["status"] == "failed"
    assert "the district requires one" in record["error"]


def test_parser_rejects_above_the_district_threshold_set_the_file_aside(
    tmp_path: Path, inbox
) -> None:
    """Case 17.4 rejects: a few unreadable lines are quarantined one by one and the file loads;
    more than `landing.max_rejected_lines` (or `max_rejected_share` of the lines, whichever is
    more) set the whole file aside, naming the first rejected line, and its stewards are told."""
    handler, port = inbox
    settings = LandingSettings(max_rejected_lines=3, max_rejected_share=0.01)
    lines = good_attendance(100).splitlines(keepends=True)
    few = lines[:]
    for n in (10, 20, 30):
        few[n] = "7000010,101\r\n"
    home = Home(tmp_path / "few").ensure()
    deliver(home, "attendance/x.csv", "".join(few).encode())
    run(home, settings)
    record = latest(home, "attendance/x.csv")
    assert (record["status"], record["rows_rejected"]) == ("loaded", 3)
    assert_nothing_lost(home, record, "attendance/exceptions", 100)

    many = lines[:]
    for n in (10, 20, 30, 40):
        many[n] = "7000010,101\r\n"
    home = Home(tmp_path / "many").ensure()
    data = "".join(many).encode()
    deliver(home, "attendance/x.csv", data)
    run(home, settings)
    tell(home, port)

    record = latest(home, "attendance/x.csv")
    assert record["status"] == "failed"
    assert record["error"] == (
        "attendance/x.csv: line 11: 4 of 100 data lines rejected (from this line on), more than "
        "the 3 a file may have (landing.max_rejected_lines / max_rejected_share in the district "
        "config): the file is broken as a whole, not line by line"
    )
    assert_archived(record, data)
    assert raw_lines(home, "attendance/exceptions") == []
    assert rejects(home, "attendance/exceptions") == []
    [message] = handler.messages
    assert to(message) == stewards("attendance")
    assert "4 of 100 data lines rejected" in message.get_content()
    assert_no_student_data(message)


# --- 17.6 symbolic links ------------------------------------------------------------------------


def test_symbolic_links_in_landing_are_refused_unread_and_told_to_district_it(
    tmp_path: Path, inbox
) -> None:
    """Case 17.6 symlinks: a link to a system file and a link to a CSV elsewhere are refused:
    neither is read nor archived, nothing reaches raw, the audit says `refused` with the reason,
    and district IT gets the email (not the stewards). Under `landing.link_root` a link is
    followed and its file loads like any delivery."""
    handler, port = inbox
    home = Home(tmp_path / "district").ensure()
    secret = tmp_path / "etc" / "passwd"
    secret.parent.mkdir()
    secret.write_bytes(b"root:x:0:0:root:/root:/bin/bash\n")
    elsewhere = tmp_path / "elsewhere" / "attendance_exceptions.csv"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes((HEADER + ROW).encode())
    (home.landing / "sis").mkdir()
    (home.landing / "attendance").mkdir()
    (home.landing / "sis" / "users.csv").symlink_to(secret)
    (home.landing / "attendance" / "exceptions.csv").symlink_to(elsewhere)
    (home.landing / "attendance" / "linked").symlink_to(elsewhere.parent)
    deliver(home, "sis/orgs.csv", ORGS)

    result = run(home)
    tell(home, port)

    refused = {r["source_path"]: r for r in audit(home) if r["status"] == "refused"}
    assert set(refused) == {"sis/users.csv", "attendance/exceptions.csv", "attendance/linked"}
    assert refused["sis/users.csv"]["error"] == (
        f"sis/users.csv: refused: a symbolic link to {secret}, not a file (landing.link_root is "
        "not set); it was not read and nothing was archived. Copy the file itself into landing/"
    )
    assert all(r["archive_path"] is None for r in refused.values())
    archived = [p.read_bytes() for p in home.archive.rglob("*") if p.is_file()]
    assert archived == [ORGS]  # only the real file
    assert raw_lines(home, "attendance/exceptions") == []
    assert {u["source_path"] for u in result.unrecognized} == set(refused)
    [message] = handler.messages
    assert to(message) == district_it()
    body = message.get_content()
    assert "refused: a symbolic link to" in body and "Archived: no (not read)" in body
    assert "copy the file itself into landing/" in body.lower()
    assert "root:x:0:0" not in body

    # Told once: a second run records nothing new and sends nothing.
    run(home)
    tell(home, port, "catalogue-run-2")
    assert len(handler.messages) == 1
    assert len([r for r in audit(home) if r["status"] == "refused"]) == 3

    allowed = Home(tmp_path / "allowed").ensure()
    (allowed.landing / "attendance").mkdir()
    (allowed.landing / "attendance" / "exceptions.csv").symlink_to(elsewhere)
    run(allowed, LandingSettings(link_root=elsewhere.parent))
    record = latest(allowed, "attendance/exceptions.csv")
    assert record["status"] == "loaded" and record["rows_parsed"] == 1
    assert_archived(record, elsewhere.read_bytes())


# --- 17.9 smaller cases -------------------------------------------------------------------------


def test_a_file_name_over_255_bytes_in_the_archive_is_shortened_not_a_crash(
    tmp_path: Path,
) -> None:
    """Case 17.9 long name: a 240-byte delivered name (accents count twice) loads; its archive
    name is cut to 255 bytes with a hash of the whole name, and the audit keeps the name as
    delivered."""
    home = Home(tmp_path).ensure()
    name = "attendance_exceptions_" + "é" * 105 + "_export.csv"
    assert len(name.encode()) > 230
    data = (HEADER + ROW).encode()
    deliver(home, f"attendance/{name}", data)

    result = run(home)

    record = latest(home, f"attendance/{name}")
    assert record["status"] == "loaded" and record["source_file"] == name
    archived = Path(record["archive_path"])
    assert len(archived.name.encode()) <= MAX_NAME_BYTES and archived.name.endswith(".csv")
    assert_archived(record, data)
    assert not any(t.error for t in result.tables.values())
    assert_nothing_lost(home, record, "attendance/exceptions", 1)


def test_two_header_names_equal_but_for_case_are_named_not_a_binder_error(
    tmp_path: Path, inbox
) -> None:
    """Case 17.9 case-duplicate header: `AttCode` and `attcode` in one header set the file aside
    with both columns named (no DuckDB binder error); its stewards are told how to fix it."""
    handler, port = inbox
    home = Home(tmp_path).ensure()
    data = b"StuNum,SchoolCode,AbsenceDate,AttCode,Minutes,attcode\r\n"
    data += b"7000001,101,09/03/2025,A,,B\r\n"
    deliver(home, "attendance/x.csv", data)

    run(home)
    tell(home, port)

    record = latest(home, "attendance/x.csv")
    assert (record["status"], record["error"]) == (
        "failed",
        "attendance/x.csv: line 1, column 6: header 'attcode' is the same name as column 4 "
        "('AttCode'); rename one of them",
    )
    assert "Binder" not in record["error"]
    assert_archived(record, data)
    assert raw_lines(home, "attendance/exceptions") == []
    [message] = handler.messages
    assert to(message) == stewards("attendance")
    assert "Two header columns have the same name" in message.get_content()


@pytest.mark.parametrize(
    "bom_codec",
    [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"), (b"", "utf-16-le")],
    ids=["LE with BOM", "BE with BOM", "LE without BOM"],
)
def test_utf16_is_decoded_not_all_columns_missing(tmp_path: Path, bom_codec) -> None:
    """Case 17.9 UTF-16: a UTF-16 OneRoster `users.csv` is decoded (by its BOM, or its zero
    bytes) and loads every row with accents intact; it is not reported as missing its columns,
    nor set aside as cut short (its final line ending is read after decoding)."""
    bom, codec = bom_codec
    home = Home(tmp_path).ensure()
    text = USERS.replace("Testa", "Zoë")
    data = bom + text.encode(codec)
    deliver(home, "sis/users.csv", data)

    result = run(home)

    record = latest(home, "sis/users.csv")
    assert (record["status"], record["encoding"]) == ("loaded", "utf-16" if bom else codec)
    assert not result.unrecognized
    given = duckdb.sql(
        f"select givenName from '{home.raw}/sis/users/2*.parquet' order by _line_number"
    ).fetchall()
    assert given[0] == ("Zoë",)
    assert_nothing_lost(home, record, "sis/users", len(text.splitlines()) - 1)
    assert_archived(record, data)


def test_a_line_over_1_mb_is_rejected_as_such_and_the_rest_loads(tmp_path: Path) -> None:
    """Case 17.9 long line: a 2 MB line (a quoted field) is rejected with its number and
    "longer than the 1,048,576 bytes a line may have", not as an unquoted value; the lines
    after it keep their numbers and load."""
    home = Home(tmp_path).ensure()
    big = ROW.replace(",ok", ',"' + "x" * (2 << 20) + '"')
    data = (HEADER + ROW + big + ROW.replace("7000001", "7000003")).encode()
    deliver(home, "attendance/x.csv", data)

    run(home)

    record = latest(home, "attendance/x.csv")
    assert record["status"] == "loaded"
    [(line, _, error_type, error, _)] = rejects(home, "attendance/exceptions")
    assert (line, error_type) == (3, "LINE SIZE OVER MAXIMUM")
    assert error.startswith("the line is longer than the 1,048,576 bytes a line may have")
    assert raw_lines(home, "attendance/exceptions") == [2, 4]
    assert_nothing_lost(home, record, "attendance/exceptions", 3)


def plant_leftovers(home: Home) -> list[Path]:
    leftovers = [
        home.archive / ".landing-4242-4243.part",
        home.raw / "attendance" / "exceptions" / ".20261201T000000000000Z-abc.parquet.part",
        home.audit / "20261201T000000000000Z-abc.part",
        home.work / "20261201T000000000000Z-abc.csv",
        home.root / "serving" / ".districtwide.4242.building.duckdb",
        home.root / "serving" / ".districtwide.4242.building.duckdb.wal",
    ]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half-written")
    return leftovers


def test_temporary_files_of_a_killed_run_are_cleaned_at_the_next_load_start(
    tmp_path: Path,
) -> None:
    """Case 17.9 leftovers: what a killed run left half-written (`archive/.*.part`, raw and
    audit `.part`, `work/<load_id>.csv`, `serving/.*.building.duckdb` and its WAL) is deleted
    when the next run starts alone with the data folder, never while another run holds it; the
    archive, raw files and the served copy are untouched."""
    home = Home(tmp_path).ensure()
    deliver(home, "sis/orgs.csv", ORGS)
    run(home)
    kept = [p for p in tmp_path.rglob("*") if p.is_file()]
    leftovers = plant_leftovers(home)

    # Another run holds the folder: nothing is touched.
    other = datalock.acquire(home.root, exclusive=False)
    try:
        mine = datalock.acquire_shared_tidying(home.root, lambda: clean_leftovers(home))
        datalock.release(mine)
    finally:
        datalock.release(other)
    assert all(p.exists() for p in leftovers)

    # The next run's start (the Dagster resource a run holds the folder with) cleans them.
    result = materialize(
        [LANDING],
        resources={"home": DistrictwideHome(root=str(home.root))},
        selection=[AssetKey(["raw", "sis", "orgs"])],
    )
    assert result.success
    assert not any(p.exists() for p in leftovers)
    assert all(p.exists() for p in kept)


def test_onerosters_password_column_never_reaches_raw(tmp_path: Path) -> None:
    """Case 17.9 secrets: OneRoster's `password` (a layout's `secret_columns`) is dropped at
    landing: not a raw column, blanked in a rejected line's text; staging and quarantine read
    raw only, so it reaches neither. The archive keeps the delivered file unchanged: it is the
    extract as the SIS sent it."""
    home = Home(tmp_path).ensure()
    lines = USERS.splitlines(keepends=True)
    lines = [lines[0]] + [line.rstrip("\n") + "Hunter2pw\n" for line in lines[1:]]
    # One line with a field too many (rejected), its password in its place.
    lines.insert(3, lines[2].rstrip("\n") + ",extra\n")
    assert '"' not in lines[3]
    data = "".join(lines).encode()
    deliver(home, "sis/users.csv", data)

    run(home)

    record = latest(home, "sis/users.csv")
    assert record["status"] == "loaded"
    raw = f"{home.raw}/sis/users/{record['load_id']}.parquet"
    columns = [c for (c,) in duckdb.sql(f"select name from parquet_schema('{raw}')").fetchall()]
    assert "password" not in columns
    assert "Hunter2pw" not in repr(duckdb.sql(f"select * from '{raw}'").fetchall())
    [(line, _, error_type, _, raw_line)] = rejects(home, "sis/users")
    assert (line, error_type) == (4, "TOO MANY COLUMNS")
    assert raw_line == lines[3].rstrip("\n").replace("Hunter2pw", "")
    assert_nothing_lost(home, record, "sis/users", len(lines) - 1)
    assert b"Hunter2pw" in Path(record["archive_path"]).read_bytes()
    assert_archived(record, data)
