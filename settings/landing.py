"""How landing treats a delivered file that is not plainly whole: the district's own tolerance.

A file is set aside (its previous good delivery stays in effect, its steward is told) when the
CSV parser rejects more of its lines than this allows: a few bad lines in a large export are
quarantined one by one, but a file whose lines fail by the hundred is broken as a whole (cut short,
re-encoded, the wrong export) and must not replace yesterday's data with half of itself.

Symbolic links in the landing folder are refused unless they point under `link_root`: a link
lets anyone who can write to landing make the load read (and archive) any file the load's user
can read, `/etc/passwd` included.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class LandingSettings(BaseModel):
    """The district config file's `landing:` section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Parser rejects a file may have and still load (its rejected lines quarantined) ...
    max_rejected_lines: int = Field(10, ge=0)
    #: ... or this share of its data lines, when that is more (0.01: 1% of a large file).
    max_rejected_share: float = Field(0.01, ge=0, le=1)
    #: A file whose complete last line has no line ending is set aside as cut short when the
    #: previous file of its layout ended with one; otherwise it loads and its stewards are warned
    #: that a cut inside that last field would go unseen: many vendor exports end so (23 of 80
    #: public vendor sample files in edanalytics/earthmover_edfi_bundles, MAP, CMAS and ILEARN
    #: among them). True always sets such files aside. A short or unclosed last line sets a file
    #: aside either way.
    require_final_line_ending: bool = False
    #: Symbolic links in landing/ that resolve under this folder are followed; every other link
    #: is refused (not read, not archived) and district IT is told. Unset: every link is refused.
    link_root: Path | None = None

    def rejects_allowed(self, data_lines: int) -> int:
        """How many rejected lines a file of `data_lines` data lines may have."""
        return max(self.max_rejected_lines, int(data_lines * self.max_rejected_share))
