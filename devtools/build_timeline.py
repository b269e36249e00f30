"""A finished dbt build's timeline: how busy its threads were and the chain of nodes it waited on.

`replay_sql` says what the models' SQL costs alone; this says how the build spent its wall time
around it, from dbt's own `run_results.json` and the manifest, without running anything: the
seconds with no, one or two nodes executing, each kind of node's thread time, and the critical
chain: from the model that finished last, back through the dependency each node waited for
longest (a model, or a data test of one: `dbt build` starts a model only once its parents'
tests passed), with the seconds each node sat ready in dbt's queue. The figures are in
BENCHMARKS.md's "Where the time goes".

    python -m devtools.build_timeline                 # the bench district (data/bench)
    python -m devtools.build_timeline data/demo --chain 30
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from connectors.home import REPO_ROOT


@dataclass(frozen=True)
class Span:
    """One node of the build: when dbt started compiling it and when its execution ended."""

    unique_id: str
    started: float
    compiled: float
    ended: float

    @property
    def kind(self) -> str:
        return self.unique_id.split(".", 1)[0]

    @property
    def name(self) -> str:
        return short_name(self.unique_id)


@dataclass(frozen=True)
class Link:
    """A node of the critical chain and what it waited for."""

    node: Span
    waited_for: str | None
    queued: float


def short_name(unique_id: str) -> str:
    """A node's name: a model's, or a data test's (its unique ID ends in a hash)."""
    parts = unique_id.split(".")
    return parts[2] if parts[0] == "test" and len(parts) > 3 else parts[-1]


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def spans(run_results: dict[str, Any]) -> dict[str, Span]:
    """Every node dbt executed (a node skipped or without timings has none)."""
    out = {}
    for result in run_results["results"]:
        timing = {t["name"]: t for t in result["timing"] if t.get("started_at")}
        if "execute" not in timing:
            continue
        first = timing.get("compile", timing["execute"])
        out[result["unique_id"]] = Span(
            result["unique_id"],
            _seconds(first["started_at"]),
            _seconds(timing["execute"]["started_at"]),
            _seconds(timing["execute"]["completed_at"]),
        )
    return out


def concurrency(nodes: list[Span]) -> Counter:
    """Seconds of the build with 0, 1, 2, ... nodes executing (compiled, not yet ended)."""
    events = sorted([(s.compiled, 1) for s in nodes] + [(s.ended, -1) for s in nodes])
    seconds: Counter = Counter()
    running, last = 0, events[0][0] if events else 0.0
    for moment, step in events:
        seconds[running] += moment - last
        running, last = running + step, moment
    return seconds


def thread_time(nodes: list[Span]) -> dict[str, tuple[int, float, float]]:
    """Per kind of node (model, test, seed): count, seconds compiling, seconds executing."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for node in nodes:
        entry = totals[node.kind]
        entry[0] += 1
        entry[1] += node.compiled - node.started
        entry[2] += node.ended - node.compiled
    return {
        kind: (int(n), compiling, executing) for kind, (n, compiling, executing) in totals.items()
    }


def critical_chain(nodes: dict[str, Span], manifest: dict[str, Any]) -> list[Link]:
    """From the model that ended last, back through what each node waited for longest."""
    graph = manifest["nodes"]
    tests_of: dict[str, list[str]] = defaultdict(list)
    for uid, node in graph.items():
        if node["resource_type"] == "test":
            for parent in node["depends_on"]["nodes"]:
                tests_of[parent].append(uid)
    models = [s for s in nodes.values() if s.kind in ("model", "seed", "snapshot")]
    chain: list[Link] = []
    current = max(models, key=lambda s: s.ended) if models else None
    while current is not None:
        declared = graph.get(current.unique_id, {}).get("depends_on", {}).get("nodes", [])
        parents = [p for p in declared if p in nodes]
        # A parent gates the node once it and its own tests have ended.
        gates = [(nodes[p].ended, p, p) for p in parents] + [
            (nodes[t].ended, t, p)
            for p in parents
            for t in tests_of[p]
            if t in nodes and current.unique_id not in graph[t]["depends_on"]["nodes"]
        ]
        if not gates:
            chain.append(Link(current, None, 0.0))
            break
        ready, gate, parent = max(gates)
        chain.append(Link(current, gate, current.started - ready))
        current = nodes[parent]
    return chain


@click.command()
@click.argument("home", type=click.Path(exists=True, file_okay=False, path_type=Path),
                default=REPO_ROOT / "data" / "bench")  # fmt: skip
@click.option("--chain", default=20, show_default=True, help="links of the critical chain listed")
def main(home: Path, chain: int) -> None:
    """The last dbt build of HOME, as a timeline (after a load: `make bench` leaves data/bench)."""
    manifest = json.loads((REPO_ROOT / "dbt_project" / "target" / "manifest.json").read_text())
    nodes = spans(json.loads((home / "dbt_target" / "run_results.json").read_text()))
    if not nodes:
        raise click.ClickException("the build's run_results.json names no executed node")
    listed = list(nodes.values())
    begun, ended = min(s.started for s in listed), max(s.ended for s in listed)
    print(f"{len(listed)} nodes in {ended - begun:.2f} s")
    for kind, (n, compiling, executing) in sorted(thread_time(listed).items()):
        print(f"  {kind}: {n}, {compiling:.2f} s compiling, {executing:.2f} s executing")
    for running, seconds in sorted(concurrency(listed).items()):
        print(f"  {running} executing: {seconds:.2f} s")
    print("critical chain (last first): start, end, node; what it waited for, queued seconds")
    for link in critical_chain(nodes, manifest)[:chain]:
        node = link.node
        waited = (
            f"  <- {short_name(link.waited_for)}, queued {link.queued:.2f} s"
            if link.waited_for
            else ""
        )
        print(f"  {node.started - begun:6.2f} {node.ended - begun:6.2f}  {node.name}{waited}")


if __name__ == "__main__":
    main()
