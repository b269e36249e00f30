"""The data domains of districtwide, defined once.

Each domain is a source family a district delivers and a set of stewards answers for; it owns
the raw tables named `<domain>__<entity>`. The connectors, the district config, the quality
suites and the alerts all read this tuple.
"""

from __future__ import annotations

from typing import Literal

Domain = Literal["sis", "attendance", "assessment"]
DOMAINS: tuple[Domain, ...] = ("sis", "attendance", "assessment")
