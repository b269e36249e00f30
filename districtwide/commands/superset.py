"""`districtwide superset start|stop|status`: the local Superset server of `make dashboards`
(`devtools.superset_server`)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from districtwide.commands import from_checkout

log = logging.getLogger(__name__)

DEFAULT_WORKERS = 2


def server_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options every subcommand takes; the command gets the server module and settings."""

    @click.option("--home", type=click.Path(path_type=Path), help="$DISTRICTWIDE_HOME/superset")
    @click.option("--port", type=int, help="default: $DISTRICTWIDE_SUPERSET_PORT or 8088")
    @click.option("--venv", type=click.Path(path_type=Path), help="default: .venv-superset")
    @click.option("--workers", type=int, default=DEFAULT_WORKERS, show_default=True)
    @functools.wraps(func)
    def wrapper(home: Path | None, port: int | None, venv: Path | None, workers: int) -> None:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
        server = from_checkout("devtools.superset_server")
        overrides: dict[str, object] = {"workers": workers}
        if home:
            overrides["home"] = home.resolve()
        if port:
            overrides["port"] = port
        if venv:
            overrides["venv"] = venv.resolve()
        func(server, server.SupersetSettings(**overrides))

    return wrapper


@click.group(name="superset")
def command() -> None:
    """A local Apache Superset, from its own venv, its files under the data folder."""


@command.command(name="start")
@server_options
def start(server: Any, settings: Any) -> None:
    """Start the server (or say where it already runs); print its URL."""
    from dashboards.errors import SupersetError

    try:
        server.start(settings)
    except server.SupersetAlreadyRunning as running:
        log.info("%s", running)
        click.echo(running.base_url)
        return
    except SupersetError as exc:
        log.error("%s", exc)
        raise SystemExit(1) from None
    click.echo(settings.base_url)


@command.command(name="stop")
@server_options
def stop(server: Any, settings: Any) -> None:
    """Stop the server this home started, if one runs."""
    if not server.stop(settings):
        log.info("no Superset running for %s", settings.home)


@command.command(name="status")
@server_options
def status(server: Any, settings: Any) -> None:
    """Say whether the server runs (exit code 3 when it does not)."""
    running = server.status(settings)
    if running is None:
        click.echo("not running")
        raise SystemExit(3)
    click.echo(f"running at {running[1]} (pid {running[0]})")
