"""dbt: the project, its models as assets, and the in-process runner that builds them."""
