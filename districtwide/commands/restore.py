"""`districtwide restore`: a backup of the data folder (`districtwide backup`) unpacked again."""

from __future__ import annotations

from pathlib import Path

import click

from districtwide.commands.backup import HOME_OPTION


@click.command(name="restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@HOME_OPTION
@click.option("--force", is_flag=True, help="unpack over a data folder that is not empty")
def command(archive: Path, home: Path, force: bool) -> None:
    """Unpack the backup ARCHIVE into the data folder (stop the services first)."""
    from districtwide.backup import restore

    try:
        manifest = restore(archive, home, force=force)
    except (FileExistsError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"restored {manifest['files']} files into {home.resolve()} "
        f"(backup of {manifest['data_folder']}, {manifest['created_at']})"
    )
