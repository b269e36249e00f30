"""Data-quality suites as code, run inside the warehouse with Great Expectations.

`expectations.suites` declares the rules (one module per source and per mart area),
`expectations.runner` validates a suite in the database and returns counts — never student
values — and `expectations.gx_duckdb` holds the glue GX needs to run on DuckDB (and quickly).
"""

import logging

# GX logs at INFO while it imports (docs decorators) and runs; keep pipeline logs to warnings.
if logging.getLogger("great_expectations").level == logging.NOTSET:
    logging.getLogger("great_expectations").setLevel(logging.WARNING)

from expectations.docs import build_data_docs
from expectations.result import ExpectationOutcome, SuiteResult
from expectations.runner import SuiteError, WarehouseUnavailable, run_suite, run_suites
from expectations.settings import QualitySettings
from expectations.spec import ExpectationSpec, SuiteSpec
from expectations.suites import all_suites, suite_named

__all__ = [
    "ExpectationOutcome",
    "ExpectationSpec",
    "QualitySettings",
    "SuiteError",
    "SuiteResult",
    "SuiteSpec",
    "WarehouseUnavailable",
    "all_suites",
    "build_data_docs",
    "run_suite",
    "run_suites",
    "suite_named",
]
