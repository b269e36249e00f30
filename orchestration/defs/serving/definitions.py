"""The serving domain's definitions, gathered for `orchestration.definitions`."""

from dagster import Definitions

from orchestration.defs.serving.assets import served_marts

defs = Definitions(assets=[served_marts])
