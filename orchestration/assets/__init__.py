"""Dagster assets, one module per source plus the dbt models."""
