"""Development tooling, run from a repository checkout and not installed with the product:
`make demo` (`demo`), `make bench` (`bench`), `make dashboards` (`dashboards_up`), the local
Superset process manager (`superset_server`) and dashboard screenshots (`screenshot`)."""
