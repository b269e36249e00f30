"""The alerts domain's definitions, gathered for `orchestration.definitions`."""

from dagster import Definitions

from orchestration.defs.alerts.sensors import steward_alerts_on_failure, steward_alerts_on_success

defs = Definitions(sensors=[steward_alerts_on_success, steward_alerts_on_failure])
