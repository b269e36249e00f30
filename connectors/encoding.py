"""Text encodings of delivered files: detect UTF-8 (with or without BOM) or Windows-1252.

DuckDB reads only UTF-8 here (its `encodings` extension cannot be installed offline), so a
Windows-1252 export is streamed to a UTF-8 working copy first.
The archived original is never touched.

UTF-8 is checked while the file is archived (`Utf8Check`, fed the chunks the archive copy reads),
so a UTF-8 file is read once before DuckDB parses it; any other file is decoded once, by the
transcode, which also tells Windows-1252 from Latin-1.
"""

from __future__ import annotations

import codecs
from pathlib import Path

CHUNK = 1 << 20
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


def legacy_to_utf8(path: Path, dest: Path) -> str:
    """Transcode a file that is not UTF-8 to UTF-8 at `dest`: UTF-16 when it starts with its byte
    order mark, else as Windows-1252 if every byte is one (`cp1252`), else as Latin-1
    (`latin-1`, which decodes any byte). Returns the encoding."""
    with path.open("rb") as handle:
        head = handle.read(2)
    if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        transcode_to_utf8(path, "utf-16", dest)
        return "utf-16"
    try:
        transcode_to_utf8(path, "cp1252", dest)
        return "cp1252"
    except UnicodeDecodeError:
        transcode_to_utf8(path, "latin-1", dest)
        return "latin-1"
