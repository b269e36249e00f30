"""One module per `districtwide` subcommand; each exposes a click command named `command`."""

from __future__ import annotations

import importlib
from types import ModuleType

import click


def from_checkout(module: str) -> ModuleType:
    """Import a development module (`devtools`, `synthetic`): they live in the repository
    checkout, not in what a district installs, and `python -m districtwide` from its root finds
    them."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            raise click.ClickException(
                f"{module} is development tooling, not installed with districtwide: run "
                "`python -m districtwide ...` from the repository checkout"
            ) from exc
        raise
