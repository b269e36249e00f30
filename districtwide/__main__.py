"""`python -m districtwide ...`: the command, with the current folder importable (a repository
checkout's `devtools` and `synthetic` packages, which are not installed with the product)."""

from districtwide.cli import main

main(prog_name="districtwide")
