"""The dbt project as Dagster sees it; `make` builds its manifest (dbt parse), not the import."""

from __future__ import annotations

from dagster_dbt import DbtProject

from connectors.home import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
