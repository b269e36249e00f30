"""Text encodings of delivered files: detect UTF-8 (with or without BOM) or Windows-1252.

DuckDB reads only UTF-8 here (its `encodings` extension cannot be installed offline, see
../shared/notes/stack.md), so a Windows-1252 export is streamed to a UTF-8 working copy first.
The archived original is never touched.
"""

from __future__ import annotations

import codecs
from pathlib import Path

CHUNK = 1 << 20
UTF8_BOM = codecs.BOM_UTF8


def detect_encoding(path: Path) -> str:
    """`utf-8-sig`, `utf-8` or `cp1252` (falls back to `latin-1`, which decodes any byte)."""
    with path.open("rb") as handle:
        head = handle.read(len(UTF8_BOM))
        handle.seek(0)
        for encoding in ("utf-8", "cp1252"):
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                while chunk := handle.read(CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                handle.seek(0)
                continue
            if encoding == "utf-8" and head == UTF8_BOM:
                return "utf-8-sig"
            return encoding
    return "latin-1"


def transcode_to_utf8(path: Path, encoding: str, dest: Path) -> Path:
    """Stream `path` from `encoding` into a UTF-8 file at `dest`, line endings unchanged."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with (
        path.open("r", encoding=encoding, newline="") as src,
        dest.open("w", encoding="utf-8", newline="") as out,
    ):
        while text := src.read(CHUNK):
            out.write(text)
    return dest
