"""The dashboards domain's definitions, gathered for `orchestration.definitions`."""

from dagster import Definitions

from orchestration.defs.dashboards.assets import superset_dashboards
from orchestration.defs.dashboards.sensors import dashboards_after_serving
from orchestration.defs.jobs import publish_dashboards

defs = Definitions(
    assets=[superset_dashboards], jobs=[publish_dashboards], sensors=[dashboards_after_serving]
)
