"""`districtwide dashboards up`: a local Superset with the dashboards published."""

from __future__ import annotations

import click

from districtwide.commands import from_checkout


@click.group(name="dashboards")
def command() -> None:
    """Superset dashboards."""


@command.command(name="up")
def up() -> None:
    """Start (or reuse) Superset on 127.0.0.1 and publish the dashboards to it."""
    raise SystemExit(from_checkout("devtools.dashboards_up").main())
