"""The Dagster definitions, one folder per domain, each gathering its own in a `definitions` module:

- `landing`: the raw tables landed from the vendors' files, and the landing sensor;
- `databases`: the database sources pulled through dagster-dlt into the same raw tables;
- `dbt`: the dbt project's models (staging, conformed, marts, quarantine);
- `quality`: the Great Expectations suites as asset checks;
- `serving`: the read-only copy of the marts;
- `dashboards`: Superset, published after each served copy;
- `alerts`: the steward alert sensors;
- `jobs` and `schedules`: the consolidated load and its nightly run.

`orchestration.definitions` merges them with the resources.
"""
