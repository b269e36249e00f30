"""The dbt domain's definitions, gathered for `orchestration.definitions`."""

from dagster import Definitions

from orchestration.defs.dbt.assets import districtwide_dbt_models
from orchestration.defs.dbt.backfill_sensor import older_years_backfill

defs = Definitions(assets=[districtwide_dbt_models], sensors=[older_years_backfill])
