"""Serving: the marts published for readers, never the build database.

After a build whose blocking checks passed, `serving.publish` swaps in a new read-only DuckDB file
(atomically, by rename); `serving.postgres` copies it into PostgreSQL when a district serves from
there; `serving.served` says how Superset reaches whichever copy the settings name.
"""
