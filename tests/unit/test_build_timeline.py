"""devtools/build_timeline.py: a dbt build's thread use and critical chain, from its own records."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.build_timeline import concurrency, critical_chain, short_name, spans, thread_time


def _at(seconds: float) -> str:
    whole, fraction = divmod(seconds, 1)
    return f"2026-12-07T10:00:{int(whole):02d}.{round(fraction * 1000):03d}Z"


def _result(uid: str, compile_at: float, execute_at: float, end: float) -> dict[str, Any]:
    return {
        "unique_id": uid,
        "timing": [
            {"name": "compile", "started_at": _at(compile_at), "completed_at": _at(execute_at)},
            {"name": "execute", "started_at": _at(execute_at), "completed_at": _at(end)},
        ],
    }


SEED, A, B, C = (f"{kind}.districtwide.{name}" for kind, name in
                 [("seed", "codes"), ("model", "a"), ("model", "b"), ("model", "c")])  # fmt: skip
TEST = "test.districtwide.not_null_a_id.0123456789"
MANIFEST = {
    "nodes": {
        SEED: {"resource_type": "seed", "depends_on": {"nodes": []}},
        A: {"resource_type": "model", "depends_on": {"nodes": [SEED]}},
        TEST: {"resource_type": "test", "depends_on": {"nodes": [A]}},
        B: {"resource_type": "model", "depends_on": {"nodes": [A]}},
        C: {"resource_type": "model", "depends_on": {"nodes": []}},
    }
}
# Two threads: the seed then a, its test and b on one; c, long, on the other. b sat ready 0.3 s
# after a's test ended.
RUN_RESULTS = {
    "results": [
        _result(SEED, 0.0, 0.0, 0.2),
        _result(C, 0.0, 0.1, 1.8),
        _result(A, 0.2, 0.3, 1.0),
        _result(TEST, 1.0, 1.1, 1.2),
        _result(B, 1.5, 1.6, 2.0),
        {"unique_id": "model.districtwide.skipped", "timing": []},
    ]
}


def test_the_nodes_executed_are_read_with_their_times() -> None:
    nodes = spans(RUN_RESULTS)
    assert set(nodes) == {SEED, A, B, C, TEST}  # a skipped node has no span
    assert nodes[B].ended - nodes[B].started == pytest.approx(0.5, abs=1e-3)
    assert short_name(TEST) == "not_null_a_id"
    assert short_name(B) == "b"


def test_threads_busy_and_time_by_kind() -> None:
    nodes = list(spans(RUN_RESULTS).values())
    busy = concurrency(nodes)
    # Two at once: c with the seed (0.1-0.2), a (0.3-1.0), the test (1.1-1.2) and b (1.6-1.8).
    # One: the seed before c (0-0.1), c while a compiles (0.2-0.3), while the test compiles
    # (1.0-1.1) and until b starts (1.2-1.6), then b alone (1.8-2.0).
    ms = 1e-3  # the stamps are seconds since 1970 to the millisecond
    assert busy[2] == pytest.approx(0.1 + 0.7 + 0.1 + 0.2, abs=ms)
    assert busy[1] == pytest.approx(0.1 + 0.1 + 0.1 + 0.4 + 0.2, abs=ms)
    assert busy[0] == pytest.approx(0.0, abs=ms)
    kinds = thread_time(nodes)
    assert kinds["model"][0] == 3
    assert kinds["test"] == (1, pytest.approx(0.1, abs=ms), pytest.approx(0.1, abs=ms))


def test_the_critical_chain_runs_back_through_the_test_a_model_waited_for() -> None:
    chain = critical_chain(spans(RUN_RESULTS), MANIFEST)
    assert [link.node.unique_id for link in chain] == [B, A, SEED]
    assert chain[0].waited_for == TEST
    assert chain[0].queued == pytest.approx(0.3, abs=1e-3)
    assert chain[1].waited_for == SEED
    assert chain[2].waited_for is None
