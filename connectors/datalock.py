"""The data folder's lock: loads share it, a backup takes it alone.

A load writes the data folder in several places (archive, raw Parquet and the audit, the build's
DuckDB files, the quality history, the served copy). A backup copied while a step writes could
hold a DuckDB file half-written, or raw files the audit does not list. So every Dagster run that
uses the data folder holds this lock *shared* (`orchestration.resources.DistrictwideHome` takes it
when the run's resources are set up, and lets it go when they are torn down: the whole run when
steps run in one process, each step otherwise), and `districtwide backup` holds it *exclusively*
while it copies: the backup waits for the running steps to end, and a load that starts meanwhile
waits for the backup. Between two steps the folder is as a crash would leave it, which a load
already handles (the served copy stays the last good one, the next load rebuilds from raw).

POSIX `flock` on a file in the folder: the kernel releases it when its process dies, so a killed
load never leaves the folder locked. Readers (Superset, analysts, the checks) take no lock.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

LOCK_FILE = ".districtwide.lock"


class FolderBusy(TimeoutError):
    """The lock was not had within the time allowed."""


def lock_path(root: Path) -> Path:
    return Path(root) / LOCK_FILE


def acquire(root: Path, *, exclusive: bool, timeout: float | None = None) -> int:
    """Open the lock file of `root` and take the lock; returns the descriptor to `release`.

    Waits as long as `timeout` seconds (None: as long as it takes), saying once why it waits.
    """
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(root), os.O_RDWR | os.O_CREAT, 0o600)
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
        return fd
    except BlockingIOError:
        pass
    except BaseException:
        os.close(fd)
        raise
    held_by = "a running load" if exclusive else "a backup"
    log.warning("%s holds the data folder %s: waiting for it", held_by, root)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise FolderBusy(
                        f"{held_by} still holds {root} after {timeout:.0f} s"
                    ) from None
                time.sleep(0.2)
    except BaseException:
        os.close(fd)
        raise


def acquire_shared_tidying(root: Path, tidy: Callable[[], object]) -> int:
    """Take the lock shared, as a load does, running `tidy` first when nothing else holds it.

    Only a process alone with the folder may delete what a killed run left half-written (its
    `.part` files, working copies, a half-built served copy): with another load running, those
    files may be that load's. So the lock is tried exclusively first, without waiting; when had,
    `tidy` runs and the lock is turned shared; when not, the load goes on with the shared lock and
    leaves the leftovers to a later load."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(root), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        log.info("another process holds %s: leftovers of killed runs are left for later", root)
        return acquire(root, exclusive=False)
    except BaseException:
        os.close(fd)
        raise
    try:
        tidy()
        fcntl.flock(fd, fcntl.LOCK_SH)
    except BaseException:
        os.close(fd)
        raise
    return fd


def release(fd: int) -> None:
    """Let the lock go (closing the descriptor releases it)."""
    os.close(fd)


@contextmanager
def writing(root: Path, timeout: float | None = None) -> Iterator[None]:
    """Held by a load while it may write `root` (shared: loads do not wait for each other)."""
    fd = acquire(root, exclusive=False, timeout=timeout)
    try:
        yield
    finally:
        release(fd)


@contextmanager
def quiescent(root: Path, timeout: float | None = None) -> Iterator[None]:
    """Held while `root` must not change: no load writes it until the block ends."""
    fd = acquire(root, exclusive=True, timeout=timeout)
    try:
        yield
    finally:
        release(fd)
