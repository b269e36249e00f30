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


@command.command(name="pictures")
def pictures() -> None:
    """Photograph every dashboard of the running server into docs/images (docs/dashboards.md)."""
    raise SystemExit(from_checkout("devtools.dashboard_pictures").main())
