"""Dashboards as code, and the read-only serving copy of the marts they read."""
