"""What a failed blocking check holds back: the failing source's new files, not the district.

When every suite whose blocking rule failed checks one source's own data (its staging models or
its delivery audit), that source's loads newer than the last publication are held
(`connectors.holds`), the dbt build runs again (its raw reads fall back to the held files'
previous loads), and the suites run again on it. If they pass, the marts are published with the
other sources' new data and the held source's previous data. A blocking failure in a mart, or
one that no new load of its source explains, holds back the whole publication, as before.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence

from connectors.holds import HeldLoad, hold, new_loads, published_sources
from connectors.home import Home
from connectors.tables import SOURCES
from expectations import SuiteResult, SuiteSpec
from orchestration.defs.dbt.project import DBT_PROJECT
from orchestration.defs.dbt.runner import DistrictwideDbt
from settings import ensure_district_config, load_config

log = logging.getLogger(__name__)

# Suites on these schemas check one source's own rows (`staging.stg_<source>__*`) or deliveries.
SOURCE_SCHEMAS = frozenset({"staging", "audit"})


def sources_to_hold(
    results: Sequence[SuiteResult], suites: Mapping[str, SuiteSpec]
) -> set[str] | None:
    """The sources whose new data a blocked result can be pinned on; None when one cannot."""
    sources: set[str] = set()
    for result in results:
        if not result.blocked:
            continue
        suite = suites[result.suite]
        if suite.schema not in SOURCE_SCHEMAS or suite.domain not in SOURCES:
            return None
        sources.add(suite.domain)
    return sources


def why(results: Sequence[SuiteResult]) -> str:
    """The blocking rules that failed, for the audit's `error` of a held file."""
    rules = [
        f"{result.suite} ({', '.join(o.name.rsplit(':', 1)[-1] for o in result.blocking_failures)})"
        for result in results
        if result.blocked
    ]
    return "blocking check(s) failed: " + "; ".join(rules)


def hold_back(
    layout: Home, results: Sequence[SuiteResult], suites: Mapping[str, SuiteSpec]
) -> list[HeldLoad]:
    """Hold the new loads of the sources the blocked results name; [] when that cannot help
    (a mart failed, the source has no new load since the last publication, or none of its data
    was ever published, so holding it back would publish marts without it)."""
    sources = sources_to_hold(results, suites)
    if not sources:
        return []
    never_published = sources - published_sources(layout)
    if never_published:
        # Publishing without a source that was never served would empty its marts.
        log.warning("no earlier data of %s was ever published: none held", sorted(never_published))
        return []
    loads = new_loads(layout, sources)
    if {load.source for load in loads} != sources:
        log.warning("blocking failures in %s predate its new files: none held", sorted(sources))
        return []
    hold(layout, loads, why(results))
    for load in loads:
        log.warning("held back: %s (%s)", load.source_path, why(results))
    return loads


def rebuild(dbt: DistrictwideDbt, layout: Home) -> bool:
    """The dbt build again, as the models' asset runs it, now without the held loads."""
    config = load_config(ensure_district_config(layout.root))
    dbt_vars = json.dumps(config.dbt_vars(), sort_keys=True)
    invocation = dbt.cli(
        ["build", "--exclude-resource-type", "unit_test", "--vars", dbt_vars],
        manifest=DBT_PROJECT.manifest_path,
        target_path=layout.root / "dbt_target",
        raise_on_error=False,
    ).wait()
    return invocation.is_successful()
