"""Command line: `python -m synthetic --students N --seed S --out DIR` (also
`districtwide synthetic ...` from a repository checkout)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from synthetic import FaultRates, GeneratorConfig, generate
from synthetic.config import (
    ATTENDANCE_LAYOUTS,
    BENCHMARK_LAYOUTS,
    MAP_LAYOUTS,
    SIS_LAYOUTS,
    STATE_LAYOUTS,
)


@click.command(
    name="synthetic",
    help="Write a synthetic district's legacy exports and their ground truth.",
)
@click.option("--students", type=int, required=True, help="students enrolled per year")
@click.option("--seed", type=int, required=True, help="random seed (same seed, same bytes)")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="output folder (gets landing/ and truth/)",
)
@click.option("--years", type=int, default=1, help="school years to generate (default 1)")
@click.option("--end-year", type=int, default=2026, help="ending year of the last school year")
@click.option("--clean", is_flag=True, help="inject no faults")
@click.option(
    "--sis",
    type=click.Choice(SIS_LAYOUTS),
    default=SIS_LAYOUTS[0],
    show_default=True,
    help="SIS export layout",
)
@click.option(
    "--attendance",
    type=click.Choice(ATTENDANCE_LAYOUTS),
    default=ATTENDANCE_LAYOUTS[0],
    show_default=True,
    help="attendance system export layout",
)
@click.option(
    "--state",
    type=click.Choice(STATE_LAYOUTS),
    default=STATE_LAYOUTS[0],
    show_default=True,
    help="state test student data file layout",
)
@click.option(
    "--benchmark",
    default=",".join(BENCHMARK_LAYOUTS[:1]),
    show_default=True,
    help=(
        f"benchmark assessment layouts, comma-separated ({', '.join(BENCHMARK_LAYOUTS)}): "
        f"exactly one of {' or '.join(MAP_LAYOUTS)}, plus any others"
    ),
)
@click.option("-v", "--verbose", is_flag=True, help="log progress")
def command(
    students: int,
    seed: int,
    out: Path,
    years: int,
    end_year: int,
    clean: bool,
    sis: str,
    attendance: str,
    state: str,
    benchmark: str,
    verbose: bool,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    try:
        config = GeneratorConfig(
            n_students=students,
            seed=seed,
            out_dir=out,
            years=years,
            end_year=end_year,
            rates=FaultRates.clean() if clean else FaultRates(),
            sis=sis,
            attendance=attendance,
            state=state,
            benchmarks=tuple(b.strip() for b in benchmark.split(",") if b.strip()),
        )
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    summary = generate(config)
    c = summary.counts
    click.echo(
        f"{c['sis']['students']} students, {c['sis']['schools']} schools, "
        f"{len(summary.rows)} files, {sum(summary.rows.values())} rows "
        f"in {summary.seconds:.1f} s -> {summary.out_dir}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the command on `argv` (default: the process's): 0 when done; a usage error exits 2."""
    try:
        command.main(args=argv, prog_name="python -m synthetic", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        raise SystemExit(error.exit_code) from None
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
