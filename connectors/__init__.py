"""Connectors: land legacy exports unchanged, then parse them into raw Parquet for dbt."""
