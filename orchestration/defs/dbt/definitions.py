"""The dbt domain's definitions, gathered for `orchestration.definitions`."""

from dagster import Definitions

from orchestration.defs.dbt.assets import districtwide_dbt_models

defs = Definitions(assets=[districtwide_dbt_models])
