"""What a delivered file is: its source, the raw table it feeds, its name pattern and columns.

The per-source modules (oneroster, attendance, assessment) declare these; everything downstream
(landing, parsing, Dagster assets, dbt sources) is driven by the declarations.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileSpec:
    """One raw table: the files of `source` whose names match `pattern` land in it."""

    source: str
    entity: str
    pattern: str
    columns: tuple[str, ...]
    description: str

    @property
    def table(self) -> str:
        return f"{self.source}__{self.entity}"

    def matches(self, path: Path) -> bool:
        return fnmatch.fnmatch(path.name, self.pattern)

    def files_in(self, landing: Path) -> list[Path]:
        """Files waiting in `landing/<source>/` for this table, oldest name first."""
        folder = landing / self.source
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.is_file() and self.matches(p))
