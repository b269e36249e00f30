"""Steward alerts in Dagster: the run-status sensors that call the `alerts` package."""
