"""Quality: the Great Expectations suites as Dagster asset checks."""

from dagster import Definitions

from orchestration.defs.quality.checks import data_quality

defs = Definitions(asset_checks=[data_quality])
