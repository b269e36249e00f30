"""The catalogue of layouts districtwide reads, rendered from the layout files as Markdown.

`python -m connectors.catalog > docs/layouts.md` writes it; a test keeps the page equal to the
layout files, so the documentation can never describe a layout the code does not have.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from connectors.layout import DELIMITERS, Layout, load_layouts
from connectors.tables import RAW_TABLES


def render(layouts: Sequence[Layout]) -> str:
    lines = [
        "# The layouts districtwide reads",
        "",
        "Generated from `connectors/layouts/` by `python -m connectors.catalog`; do not edit.",
        "Drop files into `landing/` as delivered (any name, subfolders, zips): each file is",
        "recognized by its header (names compared without case, spaces or punctuation) and",
        "mapped onto a canonical raw table. A district adds or overrides a layout with a YAML",
        "file in `$DISTRICTWIDE_HOME/config/layouts/` (see `connectors/layout.py`).",
        "",
    ]
    for table in RAW_TABLES:
        feeding = sorted(
            (x for x in layouts if x.raw_table.table == table.table), key=lambda x: x.layout
        )
        if not feeding:
            continue
        lines += [f"## `{table.table}`: {table.description}", ""]
        lines += ["| layout | what | delimiter | required columns |", "| --- | --- | --- | --- |"]
        for layout in feeding:
            delimiter = DELIMITERS.get(layout.delimiter or "", "detected")
            required = ", ".join(
                f"`{rule.names[0]}`"
                for rule in layout.rules
                if rule.from_file and not rule.optional
            )
            if layout.requires:
                required += ", " + ", ".join(f"`{name}`" for name in layout.requires)
            if layout.unpivot:
                required += f" (wide: {len(layout.unpivot)} column groups, one row each)"
            lines.append(f"| `{layout.layout}` | {layout.title} | {delimiter} | {required} |")
        lines.append("")
        for layout in feeding:
            reference = " ".join(layout.reference.split())
            lines.append(f"- `{layout.layout}`: {reference}")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(render(load_layouts()))
