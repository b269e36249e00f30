"""Database sources: one dlt multi-asset per configured database (docs/database_sources.md)."""
