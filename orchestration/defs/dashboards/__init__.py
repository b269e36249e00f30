"""Dashboards: the served marts published to Superset, as a job of its own and after each new
served copy."""
