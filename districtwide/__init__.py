"""The `districtwide` command: one entry point for what the Makefile and an operator run.

`districtwide.cli` is the command group; each subcommand is a small module of
`districtwide.commands`, imported only when it is called (`districtwide --help` stays fast).
"""
