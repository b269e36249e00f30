"""Benchmark records of `make bench`: the per-run history (history.csv) and the code that appends
to it. Development tooling: not part of what a district installs."""
