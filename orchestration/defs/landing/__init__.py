"""Landing: one asset per raw table a vendor delivers (`orchestration.assets.raw`), and the
sensor that starts a load when new files arrive."""

from dagster import Definitions

from orchestration.assets.raw import LANDING
from orchestration.defs.landing.sensors import landing_sensor

defs = Definitions(assets=[LANDING], sensors=[landing_sensor])
