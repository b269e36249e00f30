"""A crash's cause named from its error text, and the dedupe fingerprint of a failure."""

from __future__ import annotations

import pytest

from alerts.causes import crash_cause
from alerts.state import failure_key, fingerprint, run_failure_key
from tests.fixtures.alerts import UNMAPPED


@pytest.mark.parametrize(
    ("message", "error_type", "name"),
    [
        (
            'Could not set lock on file "/d/warehouse.duckdb": Conflicting lock is held in '
            "/usr/bin/python3 (PID 4242) by user analyst",
            "IOException",
            "lock held",
        ),
        (
            "Out of Memory Error: failed to allocate data of size 8.0 MiB",
            "OutOfMemoryException",
            "out of memory",
        ),
        ("", "MemoryError", "out of memory"),
        ("[Errno 28] No space left on device", "OSError", "disk full"),
        ("database or disk is full", "OperationalError", "disk full"),
        ("dbt build failed (0 nodes: none; dbt itself failed)", "DagsterDbtCliRuntimeError", None),
    ],
)
def test_crash_causes(message: str, error_type: str, name: str | None) -> None:
    cause = crash_cause(message, error_type)
    assert (cause.name if cause else None) == name


def test_the_lock_holder_is_named_by_pid() -> None:
    cause = crash_cause("Conflicting lock is held in /usr/bin/python3 (PID 4242) by user x")
    assert cause is not None and "process 4242" in cause.explanation


def test_a_fingerprint_ignores_numbers_not_words() -> None:
    assert fingerprint("3 unmapped codes: EXC, UNX") == fingerprint("57 unmapped codes: EXC, UNX")
    assert fingerprint("3 unmapped codes: EXC, UNX") != fingerprint("3 unmapped codes: XYZ")
    grown = UNMAPPED.__class__(
        **{**UNMAPPED.__dict__, "observed": "4 unmapped codes: EXC, UNX, 7T"}
    )
    assert failure_key([UNMAPPED]) == failure_key([grown])
    a = run_failure_key("job", "step", "IOException", "lock held by (PID 1)")
    assert a == run_failure_key("job", "step", "IOException", "lock held by (PID 2)")
    assert a != run_failure_key("job", "step", "IOException", "No space left on device")
