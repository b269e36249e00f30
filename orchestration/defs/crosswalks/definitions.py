"""The crosswalks domain's definitions, gathered for `orchestration.definitions`."""

from dagster import Definitions

from orchestration.defs.crosswalks.assets import load_crosswalk_files

defs = Definitions(assets=[load_crosswalk_files])
