"""`districtwide demo`: a synthetic district loaded end to end (`devtools.demo`)."""

from __future__ import annotations

import click

from districtwide.commands import from_checkout


@click.command(name="demo")
@click.option("--students", type=int, default=5000, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
def command(students: int, seed: int) -> None:
    """Generate a district into the empty landing folders, run one consolidated load."""
    raise SystemExit(from_checkout("devtools.demo").main(students=students, seed=seed))
