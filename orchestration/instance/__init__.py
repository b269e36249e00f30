"""The Dagster instance's configuration (`$DAGSTER_HOME/dagster.yaml`) and the event log storages
it names: the one place that says where Dagster keeps its run history."""

from orchestration.instance.config import instance_yaml, write_instance_yaml

__all__ = ["instance_yaml", "write_instance_yaml"]
