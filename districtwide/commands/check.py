"""`districtwide check PATH...`: what a load would make of some files, without loading them."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(name="check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def command(paths: tuple[Path, ...]) -> None:
    """Say, for each file (a folder is searched, a zip unpacked), the layout it matches or the
    closest ones and what they lack, its delimiter, encoding and rows, the lines that would be
    rejected, the codes the district's crosswalks (config/crosswalks/) do not map, the schools
    it could not map and the identity fields present. Exits 1 when a file
    would be rejected or rows quarantined."""
    from connectors.check import check_paths
    from connectors.crosswalk_files import CrosswalkError
    from connectors.home import Home, default_home
    from connectors.load import district_layouts

    home = Home(default_home())
    try:
        reports = check_paths(list(paths), district_layouts(home), home)
    except CrosswalkError as exc:
        raise click.ClickException(str(exc)) from exc
    for report in reports:
        click.echo("\n".join(report.lines()))
    bad = [r for r in reports if not r.ok]
    click.echo(f"{len(reports)} file(s), {len(bad)} with problems")
    raise SystemExit(1 if bad else 0)
