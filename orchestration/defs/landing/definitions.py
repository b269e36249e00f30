"""The landing domain's definitions, gathered for `orchestration.definitions`."""

from dagster import Definitions

from orchestration.defs.landing.assets import LANDING
from orchestration.defs.landing.sensors import landing_sensor

defs = Definitions(assets=[LANDING], sensors=[landing_sensor])
