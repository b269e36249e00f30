"""`districtwide bench`: the consolidated load at district scale, timed (`devtools.bench`)."""

from __future__ import annotations

import click

from districtwide.commands import from_checkout


@click.command(name="bench")
@click.option("--students", type=int, default=100_000, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--stage", hidden=True, help="one stage in this process (the bench's own use)")
@click.option(
    "--incremental/--no-incremental",
    default=True,
    show_default=True,
    help="also the one-day incremental (a second district of the same size)",
)
@click.option(
    "--stages/--no-stages",
    default=True,
    show_default=True,
    help="also land and transform alone, each in a process of its own, before the whole load",
)
@click.option(
    "--years",
    type=int,
    default=1,
    show_default=True,
    help="school years of --students each: above 1, the whole load and the latest year "
    "rebuilt alone (no stages, no incremental)",
)
def command(
    students: int, seed: int, stage: str | None, incremental: bool, stages: bool, years: int
) -> None:
    """Time landing, transforming and the whole load; record the whole load in
    benchmarks/history.csv
    and BENCHMARKS.md's table of current figures; then the one-day incremental from the
    attendance database (MariaDB; skipped when it is not there), in benchmarks/incremental.csv."""
    bench = from_checkout("devtools.bench")
    raise SystemExit(
        bench.main(
            students=students,
            seed=seed,
            stage=stage,
            incremental=incremental,
            stages=stages,
            years=years,
        )
    )
