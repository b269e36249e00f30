"""The quality domain's definitions, gathered for `orchestration.definitions`."""

from dagster import Definitions

from orchestration.defs.quality.checks import data_quality

defs = Definitions(asset_checks=[data_quality])
