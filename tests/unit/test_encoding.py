"""Encodings decided per line, UTF-16 told by its zero bytes, zip member names that escape: pure
Python, no DuckDB (the loads through DuckDB are in tests/integration/test_bad_input.py)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from connectors import encoding
from connectors.delivery import unsafe_member
from connectors.encoding import legacy_to_utf8, per_line_to_utf8, utf16_encoding

LINES = [
    b"StuNum,Comment\n",
    "1,Jesús Ibáñez\n".encode(),
    "2,Zoë Müller\n".encode("cp1252"),
    b"3,plain\n",
    "4,“note” – 5 €\n".encode(),
    "5,Renée\n".encode("cp1252"),
]


@pytest.mark.parametrize("chunk", [3, 7, 64, 1 << 20])
def test_each_line_keeps_its_own_encoding_across_chunk_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(encoding, "CHUNK", chunk)
    src, dest = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes(b"".join(LINES))

    result = per_line_to_utf8(src, dest)

    assert dest.read_text(encoding="utf-8").splitlines() == [
        "StuNum,Comment",
        "1,Jesús Ibáñez",
        "2,Zoë Müller",
        "3,plain",
        "4,“note” – 5 €",
        "5,Renée",
    ]
    assert (result.encoding, result.mixed_lines, result.first_mixed) == ("utf-8+cp1252", 2, [3, 6])
    assert result.warning == (
        "mixed encodings: 2 line(s) are not UTF-8 and were read as cp1252 (lines 3; 6); "
        "the others are UTF-8"
    )


def test_a_plain_legacy_file_is_no_mixed_file(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes("a,b\n1,Zoë\n2,x\n3,“y”\n".encode("cp1252"))

    result = per_line_to_utf8(src, dest)

    assert (result.encoding, result.mixed_lines, result.warning) == ("cp1252", 0, None)
    assert dest.read_text(encoding="utf-8") == "a,b\n1,Zoë\n2,x\n3,“y”\n"


def test_a_byte_windows_1252_leaves_undefined_reads_as_latin_1(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes("a,b\n1,José\n".encode() + b"2,caf\xe9 \x81\n")

    result = per_line_to_utf8(src, dest)

    assert (result.encoding, result.first_mixed) == ("utf-8+latin-1", [3])
    assert dest.read_text(encoding="utf-8").splitlines()[2] == "2,café \x81"


def test_the_first_ten_mixed_lines_are_named_and_all_counted(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.csv", tmp_path / "out.csv"
    body = b"".join(f"{n},Zoë\n".encode("cp1252" if n % 2 else "utf-8") for n in range(2, 42))
    src.write_bytes(b"n,name\n" + body)

    result = per_line_to_utf8(src, dest)

    assert result.mixed_lines == 20
    assert result.first_mixed == [n for n in range(2, 42) if n % 2][:10]
    assert "..." in (result.warning or "")


def test_a_line_longer_than_the_pieces_is_decoded_without_cutting_a_character(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(encoding, "CHUNK", 5)
    src, dest = tmp_path / "in.csv", tmp_path / "out.csv"
    long = "é" * 40
    src.write_bytes(f"a,b\n1,{long}\n".encode() + "2,Zoë\n".encode("cp1252"))

    result = per_line_to_utf8(src, dest)

    assert dest.read_text(encoding="utf-8") == f"a,b\n1,{long}\n2,Zoë\n"
    assert result.first_mixed == [3]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (codecs.BOM_UTF16_LE + "a,b\n".encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + "a,b\n".encode("utf-16-be"), "utf-16"),
        ("StuNum,Comment\r\n1,José\r\n".encode("utf-16-le"), "utf-16-le"),
        ("StuNum,Comment\r\n1,José\r\n".encode("utf-16-be"), "utf-16-be"),
        (b"StuNum,Comment\r\n1,x\r\n", None),
        (b"\x00\x01\x02PK\x03\x04binary", None),
    ],
)
def test_utf16_is_told_by_its_zero_bytes(data: bytes, expected: str | None) -> None:
    assert utf16_encoding(data) == expected


def test_utf16_without_a_bom_is_transcoded(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes("a,b\r\n1,Zoë\r\n".encode("utf-16-be"))

    assert legacy_to_utf8(src, dest).encoding == "utf-16-be"
    assert dest.read_bytes() == "a,b\r\n1,Zoë\r\n".encode()


@pytest.mark.parametrize(
    ("name", "unsafe"),
    [
        ("../x.csv", True),
        ("a/../../x.csv", True),
        ("/etc/passwd", True),
        ("..\\x.csv", True),
        ("C:\\x.csv", True),
        ("export/2025/users.csv", False),
        ("users..csv", False),
    ],
)
def test_zip_member_names_that_leave_the_zip_are_unsafe(name: str, unsafe: bool) -> None:
    assert unsafe_member(name) is unsafe
