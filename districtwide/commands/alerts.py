"""`districtwide alerts send RUN_ID`: the steward emails of a finished run, sent again by hand
(what the run-status sensors do after each load)."""

from __future__ import annotations

import logging

import click


@click.group(name="alerts")
def command() -> None:
    """Steward alerts."""


@command.command(name="send")
@click.argument("run_id")
def send(run_id: str) -> None:
    """Email each domain's stewards about run RUN_ID's failed checks (IT if it crashed)."""
    from dagster import DagsterInstance

    from alerts.after_run import alert_after_run
    from connectors.home import Home, default_home

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    with DagsterInstance.get() as instance:
        if instance.get_run_by_id(run_id) is None:
            raise click.ClickException(f"no run {run_id} in this Dagster instance")
        for report in alert_after_run(instance, run_id, Home(default_home())):
            click.echo(f"Steward alerts: {report.summary()}")
