"""What waits in the landing folder, as vendors deliver it: any name, subfolders, zip archives.

Each file is a delivery, named by its path under `landing/` (`sis/oneroster.zip/users.csv` for a
zip's member). Zips are unpacked into the work folder and each member is archived unchanged like
any file (the zip container itself is not archived); members in folders keep their folder in the
name, and a zip inside a zip is unpacked in turn (`x.zip/inner.zip/users.csv`, up to
MAX_ZIP_DEPTH levels). A member whose name points outside the zip (`../x.csv`, `/etc/x`, `C:\\x`)
is refused: it is extracted only under a neutral name in the work folder, never where its name
points, and is recorded with the reason like a file no layout reads. Files that are still being
written by an upload (`.part`, `.tmp`, `.filepart`, `.crdownload`) and hidden files (`.DS_Store`)
are left for later and counted, never loaded half-written.

A symbolic link is not a delivery: it is refused (never read, never archived) and told to district
IT, unless it resolves under the district's `landing.link_root` (`settings.landing`). Followed, a
link in landing made the load archive `/etc/passwd` and load a CSV from anywhere on the machine.
A name longer than a file system takes (255 bytes) is shortened where it is written
(`connectors.landing.fit_name`); the audit keeps it as delivered.
"""

from __future__ import annotations

import hashlib
import logging
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from connectors.home import Home
from connectors.landing import fit_name
from connectors.tables import SOURCES

log = logging.getLogger(__name__)

IN_PROGRESS = (".part", ".tmp", ".filepart", ".crdownload", ".partial")
# Zips inside zips are unpacked this many levels deep; a deeper one is recorded, not opened.
MAX_ZIP_DEPTH = 3


@dataclass(frozen=True)
class Delivery:
    """One delivered file: the bytes at `path`, delivered as `source_path` under landing/."""

    path: Path
    source_path: str
    # The zip the file came out of (its own source path), if any.
    container: str | None = None
    # Why the file cannot be read at all (a refused zip member), naming it; None when it can.
    problem: str | None = None
    # Refused without being read: a symbolic link (nothing of it is archived).
    refused: bool = False

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
    """Every file under `landing/` (zips included, not unpacked) and every symbolic link, not
    followed, in name order."""
    if not landing.is_dir():
        return []
    found: list[Path] = []
    for folder, dirs, names in os.walk(landing, followlinks=False):
        here = Path(folder)
        found += [here / name for name in names]
        found += [here / name for name in dirs if (here / name).is_symlink()]
    return sorted(p for p in found if not is_waiting(p) and (p.is_symlink() or p.is_file()))


def deliveries(home: Home, link_root: Path | None = None) -> list[Delivery]:
    """The files to load in landing; zips' members are unpacked and listed as files; a symbolic
    link is followed only when it resolves under `link_root`, else listed as refused."""
    files: list[Delivery] = []
    for path in landing_files(home.landing):
        source_path = path.relative_to(home.landing).as_posix()
        if path.is_symlink():
            files.extend(_linked(home, path, source_path, link_root))
        elif zipfile.is_zipfile(path):
            files.extend(unpack(home, path, source_path))
        else:
            files.append(Delivery(path, source_path))
    return files


def _linked(home: Home, link: Path, source_path: str, root: Path | None) -> list[Delivery]:
    """A symbolic link: what it points to when that is under `root`, else a refusal."""
    target = link.resolve()
    allowed = root is not None and target.is_relative_to(Path(root).resolve())
    if allowed and target.is_file():
        if zipfile.is_zipfile(target):
            return unpack(home, target, source_path)
        return [Delivery(target, source_path)]
    if allowed and target.is_dir():
        out: list[Delivery] = []
        for path in sorted(target.rglob("*")):
            if path.is_file() and not path.is_symlink() and not is_waiting(path):
                name = f"{source_path}/{path.relative_to(target).as_posix()}"
                out.append(Delivery(path, name))
        return out
    where = f"outside landing.link_root, {root}" if root else "landing.link_root is not set"
    problem = (
        f"{source_path}: refused: a symbolic link to {target}, not a file ({where}); it was not "
        "read and nothing was archived. Copy the file itself into landing/"
    )
    log.warning("%s", problem)
    return [Delivery(link, source_path, problem=problem, refused=True)]


def unpack(home: Home, path: Path, source_path: str, depth: int = 1) -> list[Delivery]:
    """The members of the zip at `path`, extracted under `work/unzipped/<sha256 of the zip>/`;
    zips among them are unpacked in turn."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    target = home.work / "unzipped" / digest.hexdigest()[:16]
    out: list[Delivery] = []
    with zipfile.ZipFile(path) as archive:
        for number, info in enumerate(archive.infolist(), 1):
            member = PurePosixPath(info.filename.replace("\\", "/"))
            if info.is_dir() or "__MACOSX" in member.parts or member.name.startswith("."):
                continue
            name = f"{source_path}/{info.filename}"
            if unsafe_member(info.filename):
                dest = target / "_refused" / f"member-{number}"
                _extract(archive, info, dest)
                problem = (
                    f"{name}: refused: the member's name points outside the zip (path "
                    "traversal); nothing was written there. Ask the sender for a zip whose "
                    "members have plain names"
                )
                log.warning("%s", problem)
                out.append(Delivery(dest, name, container=source_path, problem=problem))
                continue
            dest = target.joinpath(*(fit_name(part) for part in member.parts))
            _extract(archive, info, dest)
            name = f"{source_path}/{member.as_posix()}"
            if zipfile.is_zipfile(dest) and depth < MAX_ZIP_DEPTH:
                out.extend(unpack(home, dest, name, depth + 1))
                continue
            problem = None
            if zipfile.is_zipfile(dest):
                problem = f"{name}: a zip nested more than {MAX_ZIP_DEPTH} deep; not unpacked"
            out.append(Delivery(dest, name, container=source_path, problem=problem))
    log.info("%s: %d file(s) unpacked", source_path, len(out))
    return out


def unsafe_member(filename: str) -> bool:
    """Whether a zip member's name could land outside the folder it is unpacked into."""
    name = filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    return name.startswith("/") or ".." in parts or (len(name) > 1 and name[1] == ":")


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path) -> None:
    """Stream one member to `dest` (kept when already there at its size); atomic by rename."""
    if dest.exists() and dest.stat().st_size == info.file_size:
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{fit_name(dest.name, 200)}.part")
    with archive.open(info) as src, tmp.open("wb") as sink:
        while chunk := src.read(1 << 20):
            sink.write(chunk)
    tmp.replace(dest)
