"""The quality suites as declared: every table and domain covered, thresholds from settings,
rule builders that refuse what GX would mangle. No warehouse is built: these run no query."""

from __future__ import annotations

import pytest

from expectations import (
    QualitySettings,
    SuiteSpec,
    all_suites,
    rules,
    suite_named,
)
from tests.fixtures.quality_warehouse import (
    clean_tables,
)

# Read by other tables' rules (the calendar the attendance rules compare dates with), checked
# through what they are built from (staging.stg_sis__calendar, the attendance calendar).
READ_BY_RULES_ONLY = frozenset({"intermediate.int_school_calendar"})


def test_suites_cover_every_table_and_domain() -> None:
    suites = all_suites()
    tables = {s.table for s in suites}
    for table in clean_tables():
        if table not in READ_BY_RULES_ONLY:
            assert table in tables, f"no suite checks {table}"
    assert {s.domain for s in suites} == {"sis", "attendance", "assessment"}
    checks = {(tuple(s.asset_key), s.name) for s in suites}
    assert len(checks) == len(suites)
    for suite in suites:
        assert suite.asset_key == suite.table.split("."), suite.name
        for spec in suite.expectations:
            assert spec.meaning.strip()
            query = spec.kwargs.get("unexpected_rows_query")
            if query:
                assert "{batch}" in query and query.count("{") == query.count("{batch}")


def test_thresholds_are_settings_not_constants() -> None:
    strict = QualitySettings(max_unmatched_identity_share=0.01, max_row_drop_share=0.5)
    query = suite_named("attendance_identity_matches", strict).expectations[0].kwargs
    assert "> 0.01" in query["unexpected_rows_query"]
    drops = suite_named("sis_file_loads", strict).expectations[0].kwargs["unexpected_rows_query"]
    assert "* 0.5" in drops
    assert QualitySettings().freshness_calendar_days == 7
    assert QualitySettings(freshness_school_days=10).freshness_calendar_days == 14
    assert QualitySettings.from_mapping({"daily_sources": ["sis"]}).daily_sources == ("sis",)
    with pytest.raises(ValueError, match="unknown quality settings"):
        QualitySettings.from_mapping({"max_unmatched": 0.1})
    with pytest.raises(ValueError, match="share between 0 and 1"):
        QualitySettings(max_row_drop_share=20)


def test_rule_builders_refuse_queries_gx_would_mangle() -> None:
    with pytest.raises(ValueError, match="must read the suite's table"):
        rules.sql_rule("r", "select 1 from marts.dim_student", "m")
    with pytest.raises(ValueError, match="braces"):
        rules.sql_rule("r", "select '{x}' from {batch} as b", "m")
    with pytest.raises(ValueError, match="with an alias"):
        rules.sql_rule("r", "select 1 from {batch}", "m")
    with pytest.raises(ValueError, match="letters, digits"):
        SuiteSpec("bad name", "sis", ["a"], "s.t", [rules.not_null("c", "m")])
    with pytest.raises(ValueError, match="domain"):
        SuiteSpec("x", "finance", ["a"], "s.t", [rules.not_null("c", "m")])  # type: ignore[arg-type]
