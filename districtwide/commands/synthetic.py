"""`districtwide synthetic ...`: the synthetic district generator (`python -m synthetic`)."""

from __future__ import annotations

import click

from districtwide.commands import from_checkout


class _FromCheckout(click.Command):
    """The generator's own command, loaded when called (it is not installed with the product)."""

    def _target(self) -> click.Command:
        return from_checkout("synthetic.__main__").command

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[override]
        return self._target().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        return self._target().invoke(ctx)


command = _FromCheckout(
    name="synthetic",
    help="Write a synthetic district's legacy exports and their ground truth.",
    context_settings={"ignore_unknown_options": True},
)
