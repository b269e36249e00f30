"""Text encodings of delivered files: detect UTF-8 (with or without BOM) or Windows-1252.

DuckDB reads only UTF-8 here (its `encodings` extension cannot be installed offline), so a
Windows-1252 or UTF-16 export is streamed to a UTF-8 working copy first. The legacy encoding is
decided per line: a UTF-8 export holding a few Windows-1252 lines keeps its UTF-8 lines as they
are, and the audit counts the others (`mixed_encoding_lines`).
The archived original is never touched.

UTF-8 is checked while the file is archived (`Utf8Check`, fed the chunks the archive copy reads),
so a UTF-8 file is read once before DuckDB parses it; any other file is decoded once, by the
transcode, which also tells Windows-1252 from Latin-1.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 1 << 20
NON_ASCII = re.compile(rb"[\x80-\xff]+")
# `bytes.translate` arguments that leave of a block its line endings and an `x` per byte >= 0x80.
MARKS = bytes(range(128)) + b"x" * 128
ASCII_BUT_NEWLINE = bytes(b for b in range(128) if b != 0x0A)
UTF8_BOM = codecs.BOM_UTF8


class Utf8Check:
    """Whether the bytes fed in order (`update`, then `finish`) are UTF-8, and start with a BOM."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._head = b""
        self.valid = True

    def update(self, chunk: bytes) -> None:
        if len(self._head) < len(UTF8_BOM):
            self._head += chunk[: len(UTF8_BOM) - len(self._head)]
        if not self.valid:
            return
        # An ASCII chunk is UTF-8 unless it follows the first bytes of a multi-byte sequence.
        if chunk.isascii() and not self._decoder.getstate()[0]:
            return
        try:
            self._decoder.decode(chunk)
        except UnicodeDecodeError:
            self.valid = False

    def finish(self) -> str | None:
        """`utf-8-sig`, `utf-8`, or None when the bytes are not UTF-8."""
        if self.valid:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.valid = False
        if not self.valid:
            return None
        return "utf-8-sig" if self._head == UTF8_BOM else "utf-8"


def detect_encoding(path: Path) -> str:
    """`utf-8-sig`, `utf-8` or `cp1252` (falls back to `latin-1`, which decodes any byte)."""
    check = Utf8Check()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            check.update(chunk)
    encoding = check.finish()
    if encoding:
        return encoding
    decoder = codecs.getincrementaldecoder("cp1252")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
        except UnicodeDecodeError:
            return "latin-1"
    return "cp1252"


def transcode_to_utf8(path: Path, encoding: str, dest: Path) -> Path:
    """Stream `path` from `encoding` into a UTF-8 file at `dest`, line endings unchanged."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as src, dest.open("wb") as out:
        while chunk := src.read(CHUNK):
            out.write(decoder.decode(chunk).encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))
    return dest


def utf16_encoding(head: bytes) -> str | None:
    """`utf-16` (a byte order mark says which), `utf-16-le` or `utf-16-be` (told by where the
    zero bytes of ASCII characters fall), or None: the first bytes of a file are enough."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[: 4096 - 4096 % 2]
    pairs = len(sample) // 2
    if pairs < 2 or b"\x00" not in sample:
        return None
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    if odd >= pairs * 0.4 and even == 0:
        return "utf-16-le"
    if even >= pairs * 0.4 and odd == 0:
        return "utf-16-be"
    return None


@dataclass
class Transcoded:
    """How a file that is not UTF-8 was read: its encoding, and the lines read as legacy
    (Windows-1252, or Latin-1 for bytes Windows-1252 leaves undefined) in a file whose other
    lines are UTF-8."""

    encoding: str
    mixed_lines: int = 0
    # Line numbers (1-based, physical) of the first mixed lines.
    first_mixed: list[int] = field(default_factory=list)

    @property
    def warning(self) -> str | None:
        if not self.mixed_lines:
            return None
        # Grouped digits and `;` between numbers: an alert's scrub takes a run of 5+ digits for
        # an ID, so line 12345 is said as 12,345.
        shown = "; ".join(f"{n:,}" for n in self.first_mixed)
        more = " ..." if self.mixed_lines > len(self.first_mixed) else ""
        return (
            f"mixed encodings: {self.mixed_lines} line(s) are not UTF-8 and were read as "
            f"{self.encoding.split('+')[1]} (lines {shown}{more}); the others are UTF-8"
        )


def legacy_to_utf8(path: Path, dest: Path) -> Transcoded:
    """Transcode a file that is not UTF-8 to UTF-8 at `dest`: UTF-16 when it starts like UTF-16
    (with or without a byte order mark), else line by line (`per_line_to_utf8`)."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    utf16 = utf16_encoding(head)
    if utf16:
        transcode_to_utf8(path, utf16, dest)
        return Transcoded(utf16)
    return per_line_to_utf8(path, dest)


def per_line_to_utf8(path: Path, dest: Path) -> Transcoded:
    """Stream `path` into UTF-8 at `dest`, deciding the encoding of each line: a line that is
    valid UTF-8 stays as it is, any other is read as Windows-1252 (Latin-1 when it holds a byte
    Windows-1252 leaves undefined). One stray legacy line in a UTF-8 export must not turn every
    other name into mojibake, as deciding for the whole file would.

    Blocks of whole lines are decoded as UTF-8 at once; only a failing line is decoded alone, so
    the cost follows the legacy lines, not all lines. The encoding is `cp1252` (or `latin-1`)
    when no line needed UTF-8 (a plain legacy file), else `utf-8+cp1252` with the legacy lines
    counted: a mixed file, which the audit flags."""
    state = _PerLine()
    dest.parent.mkdir(parents=True, exist_ok=True)
    carry = b""
    with path.open("rb") as src, dest.open("wb") as out:
        while chunk := src.read(CHUNK):
            block = carry + chunk if carry else chunk
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                if len(block) < 4 * CHUNK:
                    carry = block
                    continue
                # A line longer than 4 MB is decoded in pieces, never cut inside a character.
                cut = len(block)
                while cut > len(block) - 3 and block[cut - 1] >= 0x80:
                    cut -= 1
            out.write(state.convert(block[:cut]))
            carry = block[cut:]
        if carry:
            out.write(state.convert(carry))
    return state.result()


class _PerLine:
    """The running state of `per_line_to_utf8`: line number, legacy lines, UTF-8 seen."""

    def __init__(self) -> None:
        self.line = 1
        self.legacy = 0
        self.latin1 = False
        self.first: list[int] = []
        self.utf8_multibyte = False

    def convert(self, block: bytes) -> bytes:
        """`block` (whole lines) as UTF-8: as it is when all of it is UTF-8 (the usual case),
        else line by line, visiting only the lines that hold a non-ASCII byte."""
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            self.utf8_multibyte = self.utf8_multibyte or len(text) != len(block)
            self.line += block.count(b"\n")
            return block
        if len(block.decode("utf-8", "surrogateescape")) == len(block):
            # Every non-ASCII byte stood alone: no line here holds a UTF-8 character, so the
            # whole block is legacy text and one decode does it.
            try:
                text = block.decode("cp1252")
            except UnicodeDecodeError:
                pass
            else:
                self._count_legacy(block)
                return text.encode("utf-8")
        return self._line_by_line(block)

    def _count_legacy(self, block: bytes) -> None:
        """Count the lines of `block` holding a non-ASCII byte, all read as legacy: with the
        block reduced to its line endings and one `x` per non-ASCII byte, such a line is an
        `x` before a line ending."""
        marks = block.translate(MARKS, ASCII_BUT_NEWLINE)
        self.legacy += marks.count(b"x\n") + (1 if marks.endswith(b"x") else 0)
        at = 0
        while len(self.first) < 10 and (x := marks.find(b"x", at)) != -1:
            self.first.append(self.line + marks.count(b"\n", 0, x))
            at = marks.find(b"\n", x) + 1 or len(marks)
        self.line += marks.count(b"\n")

    def _line_by_line(self, block: bytes) -> bytes:
        parts: list[str] = []
        pos = counted = 0
        for found in NON_ASCII.finditer(block):
            if found.start() < pos:
                continue  # another run of the line just converted
            start = block.rfind(b"\n", 0, found.start()) + 1
            end = block.find(b"\n", found.end())
            end = len(block) if end == -1 else end + 1
            parts.append(block[pos:start].decode("ascii"))
            line = block[start:end]
            try:
                parts.append(line.decode("utf-8"))
                self.utf8_multibyte = True
            except UnicodeDecodeError:
                if len(self.first) < 10:
                    self.line += block.count(b"\n", counted, start)
                    counted = start
                    self.first.append(self.line)
                parts.append(self._legacy(line))
            pos = end
        parts.append(block[pos:].decode("ascii"))
        self.line += block.count(b"\n", counted)
        return "".join(parts).encode("utf-8")

    def _legacy(self, line: bytes) -> str:
        self.legacy += 1
        try:
            return line.decode("cp1252")
        except UnicodeDecodeError:
            self.latin1 = True
            return line.decode("latin-1")

    def result(self) -> Transcoded:
        legacy = "latin-1" if self.latin1 else "cp1252"
        if self.legacy and self.utf8_multibyte:
            return Transcoded(f"utf-8+{legacy}", self.legacy, self.first)
        return Transcoded(legacy if self.legacy else "utf-8")
