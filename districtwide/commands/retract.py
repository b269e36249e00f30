"""`districtwide retract FILE|SHA256`: take a delivered file's load out of the next build."""

from __future__ import annotations

from pathlib import Path

import click

from districtwide.commands.backup import HOME_OPTION


@click.command(name="retract")
@click.argument("what")
@HOME_OPTION
@click.option("--reason", default="retracted by the data team", help="kept in the audit row")
@click.option("--undo", is_flag=True, help="put a retracted load back in effect")
@click.option("--wait", type=float, default=None, help="seconds to wait for a running load")
def command(what: str, home: Path, reason: str, undo: bool, wait: float | None) -> None:
    """Retract the load of WHAT: a delivered file's name or landing path (its load in effect),
    or a sha256 (8+ leading hex digits; every load of those bytes). Its audit row says
    `retracted`; the next load builds without its rows, and the earlier delivery of the same
    name, if any, is back in effect. The archive keeps the file (docs/operations.md)."""
    from connectors.home import Home
    from connectors.retract import RetractError, retract

    try:
        done = retract(Home(home), what, reason, undo=undo, timeout=wait)
    except RetractError as exc:
        raise click.ClickException(str(exc)) from exc
    verb = "put back" if undo else "retracted"
    for r in done:
        now = r.now_in_effect or "no delivery of this name"
        click.echo(
            f"{verb}: {r.source_path} ({r.raw_table}, {r.rows_parsed} rows, sha256 "
            f"{r.sha256[:12]}, load {r.load_id}); in effect for its name now: {now}"
        )
    click.echo("The next load (districtwide load, or the nightly run) rebuilds the marts.")
