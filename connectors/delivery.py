"""What waits in the landing folder, as vendors deliver it: any name, subfolders, zip archives.

Each file is a delivery, named by its path under `landing/` (`sis/oneroster.zip/users.csv` for a
zip's member). Zips are unpacked into the work folder and each member is archived unchanged like
any file (the zip container itself is not archived); members in folders keep their folder in the
name. Files that are still being written
by an upload (`.part`, `.tmp`, `.filepart`, `.crdownload`) and hidden files (`.DS_Store`) are left
for later and counted, never loaded half-written.
"""

from __future__ import annotations

import hashlib
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from connectors.home import Home
from connectors.tables import SOURCES

log = logging.getLogger(__name__)

IN_PROGRESS = (".part", ".tmp", ".filepart", ".crdownload", ".partial")


@dataclass(frozen=True)
class Delivery:
    """One delivered file: the bytes at `path`, delivered as `source_path` under landing/."""

    path: Path
    source_path: str
    # The zip the file came out of (its own source path), if any.
    container: str | None = None

    @property
    def name(self) -> str:
        return PurePosixPath(self.source_path).name

    @property
    def folder_source(self) -> str | None:
        """The source its top folder names (`landing/sis/...`), a hint when no layout matches."""
        top = PurePosixPath(self.source_path).parts[0]
        return top if top in SOURCES else None


def is_waiting(path: Path) -> bool:
    """Hidden files and files an upload is still writing."""
    return path.name.startswith((".", "~$")) or path.name.lower().endswith(IN_PROGRESS)


def landing_files(landing: Path) -> list[Path]:
    """Every file under `landing/` (zips included, not unpacked), in name order."""
    if not landing.is_dir():
        return []
    return sorted(p for p in landing.rglob("*") if p.is_file() and not is_waiting(p))


def deliveries(home: Home) -> list[Delivery]:
    """The files to load in landing; zips' members are unpacked and listed as files."""
    files: list[Delivery] = []
    for path in landing_files(home.landing):
        source_path = path.relative_to(home.landing).as_posix()
        if zipfile.is_zipfile(path):
            files.extend(unpack(home, path, source_path))
        else:
            files.append(Delivery(path, source_path))
    return files


def unpack(home: Home, path: Path, source_path: str) -> list[Delivery]:
    """The members of the zip at `path`, extracted under `work/unzipped/<sha256 of the zip>/`."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    target = home.work / "unzipped" / digest.hexdigest()[:16]
    out: list[Delivery] = []
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            member = PurePosixPath(info.filename)
            if info.is_dir() or "__MACOSX" in member.parts or member.name.startswith("."):
                continue
            parts = [p for p in member.parts if p not in ("", ".", "..")]
            dest = target.joinpath(*parts)
            if not dest.exists() or dest.stat().st_size != info.file_size:
                dest.parent.mkdir(parents=True, exist_ok=True)
                tmp = dest.with_name(f".{dest.name}.part")
                with archive.open(info) as src, tmp.open("wb") as sink:
                    while chunk := src.read(1 << 20):
                        sink.write(chunk)
                tmp.replace(dest)
            out.append(Delivery(dest, f"{source_path}/{'/'.join(parts)}", container=source_path))
    log.info("%s: %d file(s) unpacked", source_path, len(out))
    return out
