"""Dagster orchestration: the consolidated load of every source into the warehouse."""
