"""`districtwide instance show|write`: the Dagster instance file (`$DAGSTER_HOME/dagster.yaml`)."""

from __future__ import annotations

from pathlib import Path

import click


@click.group(name="instance")
def command() -> None:
    """The Dagster instance configuration."""


@command.command(name="show")
def show() -> None:
    """Print the configuration the environment asks for."""
    from orchestration.instance.config import HEADER, instance_yaml

    click.echo(HEADER + instance_yaml(), nl=False)


@command.command(name="write")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def write(path: Path) -> None:
    """Write it to PATH, only when the file there says otherwise."""
    from orchestration.instance.config import write_instance_yaml

    write_instance_yaml(path)
