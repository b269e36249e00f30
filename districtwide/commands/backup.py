"""`districtwide backup`: the data folder to one file (`districtwide restore` brings it back)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import click

HOME_OPTION = click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="DISTRICTWIDE_HOME",
    required=True,
    help="the data folder (default: $DISTRICTWIDE_HOME)",
)


@click.command(name="backup")
@click.argument("out", type=click.Path(path_type=Path), required=False)
@HOME_OPTION
@click.option(
    "--wait",
    type=float,
    default=None,
    help="seconds to wait for a running load step (default: as long as it takes)",
)
def command(out: Path | None, home: Path, wait: float | None) -> None:
    """Write the data folder to OUT (a .tar.gz; default: districtwide-<UTC time>.tar.gz here).

    Safe while the daemon runs: load steps and the backup take turns on the folder's lock."""
    from districtwide.backup import backup

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out = out or Path(f"districtwide-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.tar.gz")
    result = backup(home, out, timeout=wait)
    click.echo(f"{result.path}: {result.files} files, {result.bytes / 2**20:.1f} MiB before gzip")
