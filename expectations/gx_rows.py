"""GX's UnexpectedRowsExpectation, counting the offending rows without fetching them.

Why: GX 1.24.1's `UnexpectedRowsExpectation` always asks for two metrics, the query's first 200
rows (`unexpected_rows_query.table`) and their count (`unexpected_rows_query.row_count`), and
runs the query once for each, although with the BASIC and SUMMARY result formats it returns only
the count. Every cross-table rule (`rules.sql_rule`) therefore ran twice: on the 17.6 M-row daily
attendance fact, a second full join per rule. `UnexpectedRowsCountExpectation` is the same
expectation (same query argument, validation of the query, renderers and result) asking GX for
the count alone. The offending rows never leave the database, which also keeps student values out
of Python entirely (FERPA).

Rule names stay those of GX's expectation (`unexpected_rows_expectation:<rule>`, see
`ExpectationSpec.expectation_type`): the quality history, the alerts' memory of what was already
said, and the dashboards key on them.

tests/integration/test_gx_duckdb.py pins what this relies on: the parent's metric dependencies and
its BASIC result, and that one query per rule reaches the database.
"""

from __future__ import annotations

from typing import Any, ClassVar

import great_expectations.expectations as gxe
from great_expectations.core.expectation_validation_result import ExpectationValidationResult
from great_expectations.core.result_format import ResultFormat
from great_expectations.execution_engine import ExecutionEngine

#: The metric this expectation asks GX for (the parent also asks for `...table`).
ROW_COUNT_METRIC = "unexpected_rows_query.row_count"


class UnexpectedRowsCountExpectation(gxe.UnexpectedRowsExpectation):
    """Passes when `unexpected_rows_query` returns no rows; the observed value is their count.

    GX's `UnexpectedRowsExpectation` without its sample of the rows (COMPLETE result format).
    """

    #: The GX expectation this one refines: rules are named and reported as that one.
    reported_type: ClassVar[str] = "unexpected_rows_expectation"
    metric_dependencies: ClassVar[tuple[str, ...]] = (ROW_COUNT_METRIC,)

    def _validate(
        self,
        metrics: dict,
        runtime_configuration: dict | None = None,
        execution_engine: ExecutionEngine | None = None,
    ) -> ExpectationValidationResult | dict[str, Any]:
        unexpected_row_count = metrics[ROW_COUNT_METRIC]
        success = unexpected_row_count == 0
        result_format = self._get_result_format(runtime_configuration=runtime_configuration)
        if isinstance(result_format, dict):
            result_format = result_format.get("result_format", ResultFormat.SUMMARY)
        if result_format == ResultFormat.BOOLEAN_ONLY:
            return {"success": success}
        return {"success": success, "result": {"observed_value": unexpected_row_count}}
