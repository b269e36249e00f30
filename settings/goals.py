"""Improvement-plan goals from the district config file, as raw Parquet for dbt.

`raw/_goals/goals.parquet` is rewritten from the config file before every dbt build (zero rows
when the file declares no goals), so `marts.fct_goal_progress` always follows the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.home import Home
from settings.district import Goal
from settings.files import load_config

GOALS_SCHEMA = pa.schema(
    [
        ("goal_name", pa.string()),
        ("metric", pa.string()),
        ("scope", pa.string()),
        ("subgroup", pa.string()),
        ("academic_subject", pa.string()),
        ("baseline_year", pa.int32()),
        ("baseline_value", pa.float64()),
        ("target_year", pa.int32()),
        ("target_value", pa.float64()),
    ]
)


def goals_path(home: Home) -> Path:
    return home.raw / "_goals" / "goals.parquet"


def write_goals(home: Home, goals: Iterable[Goal] | None = None) -> Path:
    """Write `goals` (by default those of the config file found from the environment)."""
    goals = load_config().goals if goals is None else goals
    rows = [
        {
            "goal_name": g.name,
            "metric": g.metric,
            "scope": g.scope,
            "subgroup": g.subgroup,
            "academic_subject": g.subject,
            "baseline_year": g.baseline_year,
            "baseline_value": g.baseline_value,
            "target_year": g.target_year,
            "target_value": g.target_value,
        }
        for g in goals
    ]
    path = goals_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(pa.Table.from_pylist(rows, schema=GOALS_SCHEMA), tmp)
    tmp.replace(path)
    return path
