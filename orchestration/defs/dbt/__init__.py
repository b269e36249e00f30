"""dbt: the project, its models as assets, and the in-process runner that builds them."""

from dagster import Definitions

from orchestration.defs.dbt.assets import districtwide_dbt_models

defs = Definitions(assets=[districtwide_dbt_models])
