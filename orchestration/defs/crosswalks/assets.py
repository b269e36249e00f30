"""The district's crosswalk files as assets upstream of dbt, each with a blocking check.

`load_crosswalk_files` copies any missing file from the shipped defaults, then reads and checks
every file in `$DISTRICTWIDE_HOME/config/crosswalks/` (`connectors.crosswalk_files`). A file with
a malformed line or a duplicate key fails its blocking check, naming the file and line(s): the
step fails, so dbt does not build on it, district IT gets the failed run's email and the steward
of the crosswalk's source gets the failed check (`alerts.after_run`). The last good copy of the
file stays in `raw/_crosswalks/`.
"""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from connectors.crosswalk_files import CrosswalkLoad, load_crosswalks
from connectors.crosswalks import CROSSWALK_SPECS
from orchestration.defs.landing.assets import SOURCE_OWNERS
from orchestration.resources import DistrictwideHome

CHECK_NAME = "crosswalk_file_is_valid"


def asset_key(name: str) -> AssetKey:
    """The key dbt's source `crosswalks` names for this file (models/crosswalks/). Not
    `crosswalks/<name>`: that is the typed dbt model built on it."""
    return AssetKey(["config", "crosswalks", f"{name}_csv"])


@multi_asset(
    name="load_crosswalk_files",
    specs=[
        AssetSpec(
            key=asset_key(spec.name),
            group_name="crosswalks",
            owners=SOURCE_OWNERS.get(spec.domain, []),
            description=f"{spec.description} The district's config/crosswalks/{spec.file_name}, "
            f"checked (unique on {', '.join(spec.key)}) and written as Parquet for dbt.",
            kinds={"csv", "parquet"},
        )
        for spec in CROSSWALK_SPECS
    ],
    check_specs=[
        AssetCheckSpec(
            name=CHECK_NAME,
            asset=asset_key(spec.name),
            blocking=True,
            description=f"[{spec.domain}] {spec.file_name} has its columns, a whole line per row "
            f"and one row per key ({', '.join(spec.key)}).",
        )
        for spec in CROSSWALK_SPECS
    ],
)
def load_crosswalk_files(context: AssetExecutionContext, home: DistrictwideHome):
    """Check and write every crosswalk file; a bad one fails its blocking check."""
    for result in load_crosswalks(home.layout()):
        for problem in result.problems:
            context.log.error("crosswalk %s", problem)
        yield MaterializeResult(
            asset_key=asset_key(result.spec.name),
            metadata={"rows": result.rows, "file": MetadataValue.path(str(result.path))},
            check_results=[check_result(result)],
        )


def check_result(result: CrosswalkLoad) -> AssetCheckResult:
    """The file's check: its problems (file and line, never a student's value), and the domain
    whose steward answers for it."""
    return AssetCheckResult(
        check_name=CHECK_NAME,
        asset_key=asset_key(result.spec.name),
        passed=result.ok,
        severity=AssetCheckSeverity.ERROR,
        description="; ".join(result.problems) or None,
        metadata={
            "crosswalk": result.spec.name,
            "domain": result.spec.domain,
            "problems": MetadataValue.json(result.problems),
        },
    )
