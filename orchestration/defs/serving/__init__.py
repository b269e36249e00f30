"""Serving: the read-only copy of the marts, published after a load whose checks passed."""

from dagster import Definitions

from orchestration.defs.serving.assets import served_marts

defs = Definitions(assets=[served_marts])
