"""Where districtwide keeps everything it writes: one data folder, `$DISTRICTWIDE_HOME` or `data/`.

One root keeps a district's footprint easy to back up, to ignore in git and to wipe for a rebuild.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def default_home() -> Path:
    """The data folder: `$DISTRICTWIDE_HOME` if set, else `data/` at the repository root."""
    return Path(os.environ.get("DISTRICTWIDE_HOME") or REPO_ROOT / "data").resolve()


@dataclass(frozen=True)
class Home:
    """The layout under the data folder (see docs/architecture.md)."""

    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def audit(self) -> Path:
        return self.raw / "_audit"

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def warehouse_dir(self) -> Path:
        return self.root / "warehouse"

    @property
    def warehouse(self) -> Path:
        return self.warehouse_dir / "warehouse.duckdb"

    @property
    def serving(self) -> Path:
        """The read-only copy of the marts that dashboards and analysts open."""
        return self.root / "serving" / "districtwide.duckdb"

    @property
    def data_docs(self) -> Path:
        """Great Expectations Data Docs, linked from the stewards' emails."""
        return self.root / "quality" / "data_docs"

    def ensure(self) -> Home:
        for path in (
            self.landing,
            self.archive,
            self.raw,
            self.audit,
            self.work,
            self.warehouse_dir,
        ):
            path.mkdir(parents=True, exist_ok=True)
        return self
