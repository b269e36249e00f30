"""The `districtwide` command group.

A subcommand is a module of `districtwide.commands` exposing a click command named `command`,
listed once in `COMMANDS` below: adding one (say `districtwide check`) is a new module and one
line here. Modules are imported only when their subcommand runs, so each pays only for its own
imports (Dagster, dbt, Great Expectations are heavy).
"""

from __future__ import annotations

import importlib

import click

# Subcommand name → the module that defines it.
COMMANDS: dict[str, str] = {
    "alerts": "districtwide.commands.alerts",
    "backup": "districtwide.commands.backup",
    "bench": "districtwide.commands.bench",
    "check": "districtwide.commands.check",
    "dashboards": "districtwide.commands.dashboards",
    "demo": "districtwide.commands.demo",
    "instance": "districtwide.commands.instance",
    "load": "districtwide.commands.load",
    "restore": "districtwide.commands.restore",
    "retract": "districtwide.commands.retract",
    "spark": "districtwide.commands.spark",
    "superset": "districtwide.commands.superset",
    "synthetic": "districtwide.commands.synthetic",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported when called (click's documented lazy pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        command = importlib.import_module(COMMANDS[cmd_name]).command
        if not isinstance(command, click.Command):
            raise TypeError(f"{COMMANDS[cmd_name]}.command is not a click command")
        return command


@click.group(cls=LazyGroup)
def main() -> None:
    """districtwide: legacy sources in, one trusted warehouse out."""
