"""Serving: the read-only copy of the marts, published after a load whose checks passed."""
