"""The dbt models as Dagster assets: staging per source, intermediate, marts and quarantine.

The district's settings are read once per build (`settings.load_config`): its metric and SIS ID
settings go to dbt as `--vars`, its goals to the raw Parquet dbt reads.
"""

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, BackfillPolicy, Failure
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from connectors import increments, pending_years
from connectors.crosswalk_files import load_crosswalks, parquet_dir, raise_problems
from connectors.home import Home
from connectors.landing import ensure_empty_audit
from connectors.raw import ensure_schema_files
from connectors.single_writer import WarehouseLocked, free_working_warehouse
from connectors.tables import RAW_TABLES
from expectations import kept
from expectations.history import ensure_history
from orchestration.defs.dbt.project import DBT_PROJECT
from orchestration.defs.dbt.runner import DistrictwideDbt
from orchestration.defs.dbt.school_years import (
    SCHOOL_YEARS,
    building,
    built_years,
    rebuilds_named_years,
    years_in_warehouse,
)
from orchestration.defs.quality.checks import CHECKED_ASSETS
from orchestration.resources import DistrictwideHome
from settings import DistrictConfig, ensure_district_config, load_config
from settings.goals import write_goals

LAYER_GROUPS = {"staging": None, "intermediate": "conformed", "marts": "marts"}


class DistrictwideTranslator(DagsterDbtTranslator):
    """Asset keys `<schema>/<model>`, groups by source for staging, by layer after."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        meta_key = dbt_resource_props.get("meta", {}).get("dagster", {}).get("asset_key")
        if meta_key:
            return AssetKey(meta_key)
        if dbt_resource_props["resource_type"] == "seed":
            return AssetKey(["seeds", dbt_resource_props["name"]])
        return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "crosswalks"
        group = dbt_resource_props.get("meta", {}).get("dagster", {}).get("group")
        if group:
            return group
        return LAYER_GROUPS.get(dbt_resource_props.get("schema", ""), "conformed") or "conformed"


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=DistrictwideTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
    # School years (orchestration/defs/dbt/school_years.py): a backfill of a range is one run,
    # one dbt build naming its years.
    partitions_def=SCHOOL_YEARS,
    backfill_policy=BackfillPolicy.single_run(),
)
def districtwide_dbt_models(
    context: AssetExecutionContext, dbt: DistrictwideDbt, home: DistrictwideHome
):
    """`dbt build`: seeds, models and their data tests, in dependency order.

    dbt unit tests check the SQL, not the data: CI runs them
    (tests/integration/test_dbt_unit_tests.py), a nightly load does not, as dbt recommends for
    production.
    """
    layout = home.layout()
    require_dbt_home(layout)
    config = load_config(ensure_district_config(layout.root))
    ensure_raw_layout(layout, config)
    try:
        # An analyst holding the working warehouse open read-only never stops the build.
        for note in free_working_warehouse(layout):
            context.log.warning(note)
    except WarehouseLocked as exc:
        raise Failure(description=str(exc)) from exc
    settings_vars = config.dbt_vars()
    # Merge the attendance increments that arrived since the last finished build, or rebuild
    # everything (connectors/increments.py says which, and why).
    built = increments.plan(
        layout, json.dumps(settings_vars, sort_keys=True), DBT_PROJECT.manifest_path
    )
    # A run of some school years (a partition or a range) replaces those years' rows unless the
    # plan is a merge: then nothing but attendance increments changed since the last build of
    # every year, and merging them leaves every year as a rebuild would. A backfill (the UI's,
    # `load --years`) rebuilds its years even then: it was asked for.
    years = built_years(context)
    if years is not None and not built.full_refresh and rebuilds_named_years(context):
        built = increments.rebuild(built, "school years named for a rebuild")
    if not built.full_refresh:
        years = None
    if years is not None:
        # The models of no school year whose inputs did not change are kept (the SIS and
        # identity models of a backfill asked for after the whole load).
        built = increments.for_school_years(layout, built, DBT_PROJECT.manifest_path)
    kind = "full refresh" if built.full_refresh else "incremental"
    if years is not None:
        kind = f"school years {', '.join(map(str, years))}, their rows only"
    context.log.info(f"dbt build: {kind} ({built.reason})")
    increments.forget(layout)
    # The suites reading a table this build rewrites run again (every suite after a full one).
    narrowed = built.downstream_of is not None and not context.is_subset
    kept.forget(
        layout.warehouse,
        built.changed_tables(DBT_PROJECT.manifest_path) if narrowed else None,
    )
    # The other years' staged rows before a year build that may change them (a raw table changed
    # since the last build): the years whose rows it changes wait for a backfill.
    watched = years is not None and not built.every_year_current
    staged_before = pending_years.year_digests(layout.warehouse, years) if watched else None
    with increments.merging(built), building(years):
        yield from dbt.build_in_process(
            [
                "build",
                "--exclude-resource-type",
                "unit_test",
                "--vars",
                json.dumps(settings_vars, sort_keys=True),
                *(["--full-refresh"] if built.full_refresh and years is None else []),
            ],
            context=context,
            target_path=layout.root / "dbt_target",
            downstream_of=built.downstream_of,
            read_after=read_after_the_build(context.assets_def.keys),
        )
    found = (
        pending_years.changed_years(
            staged_before, pending_years.year_digests(layout.warehouse, years or ())
        )
        if staged_before is not None
        else set()
    )
    waiting = pending_years.update(
        layout.warehouse,
        years,
        every_year=years is None and built.full_refresh,
        found=found,
        settings=built.settings,
        present=years_in_warehouse(layout.warehouse) if years is not None else (),
    )
    if waiting:
        context.log.warning(
            f"school years {', '.join(map(str, waiting))}: a build staged a delivery that "
            "changed their rows, or a setting, crosswalk or model changed, but their marts "
            "were not rebuilt; the older_years_backfill sensor rebuilds them and the years "
            "after them"
        )
    if years is None or built.every_year_current:
        # A year build after a change leaves no record: the years it did not build predate
        # its inputs, so the next build is a full one (or another year build), never a merge.
        increments.remember(layout, built)


def read_after_the_build(keys: Iterable[AssetKey]) -> set[AssetKey]:
    """The dbt assets the steps after the build depend on: every mart (published) and every
    asset a quality suite checks."""
    return {key for key in keys if key.path[0] == "marts"} | set(CHECKED_ASSETS)


def require_dbt_home(layout: Home) -> None:
    """dbt finds the data folder in `DISTRICTWIDE_HOME` (profiles.yml, the sources' Parquet
    paths): fail, rather than build another folder, when it names another one."""
    named = os.environ.get("DISTRICTWIDE_HOME")
    if not named or Path(named).resolve() != layout.root.resolve():
        raise Failure(
            description=f"DISTRICTWIDE_HOME is {named!r}, but the home resource is {layout.root}: "
            "dbt reads the data folder from the environment, so the two must agree"
        )


def ensure_raw_layout(layout: Home, config: DistrictConfig) -> None:
    """Zero-row files for every raw table, the audit and the quality history, so dbt's sources
    resolve even before a source's first delivery; the improvement-plan goals from the config."""
    ensure_empty_audit(layout)
    write_goals(layout, config.goals)
    for spec in RAW_TABLES:
        ensure_schema_files(layout.raw, spec)
    ensure_history(layout.raw / "_quality")
    if not parquet_dir(layout).is_dir():
        # A build run without the crosswalk asset (a subset) on a new data folder.
        raise_problems(load_crosswalks(layout))
