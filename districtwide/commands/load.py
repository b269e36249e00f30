"""`districtwide load` (`make load`): one consolidated load of what waits in landing, now.

The same Dagster job as the nightly schedule, run in this process in the instance of
`$DAGSTER_HOME`; then the alerts it calls for and the summary (`districtwide.summary`). Exits 1
when the run failed (a crashed step, or a blocking check that held the publication back).

Every school year is built, unless `--years` names some (`2022-2025`, or `2024`): then it is a
backfill of those years' partitions in one run, from the files already archived (nothing needs
delivering again), and every other year's rows stay as they are
(orchestration/defs/dbt/school_years.py).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click


@click.command(name="load")
@click.option(
    "--years",
    "years_text",
    metavar="YYYY[-YYYY]",
    help="Rebuild only these school years (by ending year: 2024, or 2022-2025); "
    "every other year's rows stay as they are.",
)
def command(years_text: str | None) -> None:
    """Load every new file in $DISTRICTWIDE_HOME/landing (the nightly job, now), send the
    alerts, print the summary. Exits 1 when the run failed."""
    from connectors.home import Home
    from settings import config_notice, create_district_config

    years = None
    if years_text:
        from orchestration.defs.dbt.school_years import parse_years

        try:
            years = parse_years(years_text)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--years") from exc

    named = os.environ.get("DISTRICTWIDE_HOME")
    if not named:
        # dbt and the Dagster resources read the data folder from the environment.
        raise click.ClickException("DISTRICTWIDE_HOME is not set: run `make load`, or export it")
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    home = Home(Path(named).resolve()).ensure()
    path, created = create_district_config(home.root)
    if created:
        click.echo(config_notice(path))
    raise SystemExit(load(home, years=years))


def load(home, expected: dict[str, str] | None = None, years: list[int] | None = None) -> int:
    """Run, alert, print the summary; the exit code (`make demo` shares it)."""
    from districtwide.running import load_and_alert
    from districtwide.summary import render

    scope = ""
    if years:
        named = f" {years[0]}" if len(years) == 1 else f"s {years[0]}-{years[-1]}"
        scope = f", rebuilding school year{named} only"
    click.echo(f"Loading what waits in {home.landing}{scope} ...")
    run = load_and_alert(home, years=years)
    click.echo(render(run, home, expected))
    return 0 if run.success else 1
