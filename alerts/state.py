"""What was said when: the once-a-day dedupe of repeated alerts.

The same failure set on consecutive runs is emailed on the first run of each calendar day (in the
time zone of `now`), not on every sensor-triggered run. "The same" means the failure itself, not
its kind: a domain's key is each failed check with a fingerprint of what it observed and names
(severity, observed value, the school it names), and a crashed run's key is job, step, error type
and a fingerprint of the error message. Numbers are left out of a fingerprint (a count that grows
by one row, a PID, a time is the same failure), words are not: a different failure later the
same day is a new key, and is sent. A run where the domain passes ends the streak. The state is
a small JSON file, `<state_dir>/alert_state.json`; a missing or corrupt file starts fresh.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from alerts.inputs import CheckFailure
from alerts.scrub import scrub_student_data

log = logging.getLogger(__name__)

STATE_FILE = "alert_state.json"


@dataclass
class AlertState:
    """What was said when: per domain the current failure streak, per run-failure kind the
    last email. Kept in `<state_dir>/alert_state.json`; a missing or corrupt file starts fresh."""

    path: Path
    domains: dict[str, dict[str, object]] = field(default_factory=dict)
    run_failures: dict[str, dict[str, object]] = field(default_factory=dict)
    files: dict[str, dict[str, object]] = field(default_factory=dict)

    @classmethod
    def load(cls, state_dir: Path) -> AlertState:
        path = Path(state_dir) / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                path,
                dict(data.get("domains", {})),
                dict(data.get("run_failures", {})),
                dict(data.get("files", {})),
            )
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError, AttributeError) as exc:
            log.warning("alert state %s unreadable (%s): starting fresh", path, exc)
            return cls(path)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "version": 1,
            "domains": self.domains,
            "run_failures": self.run_failures,
            "files": self.files,
        }
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)

    def domain_decision(self, domain: str, key: list[str], now: datetime) -> Decision:
        """Whether to email `domain`'s failure set `key` now, and since when it has failed."""
        entry = self.domains.get(domain)
        if not entry or entry.get("key") != key:
            return Decision(send=True, failing_since=None)
        since = _parse_time(entry.get("first_seen"))
        last = _parse_time(entry.get("last_sent"))
        if last is not None and _same_day(last, now):
            return Decision(send=False, failing_since=since, last_sent=last)
        return Decision(send=True, failing_since=since, last_sent=last)

    def record_domain(self, domain: str, key: list[str], run_id: str, now: datetime) -> None:
        entry = self.domains.get(domain)
        first_seen = entry["first_seen"] if entry and entry.get("key") == key else now.isoformat()
        self.domains[domain] = {
            "key": key,
            "first_seen": first_seen,
            "last_sent": now.isoformat(),
            "last_run": run_id,
        }

    def note_streak(self, domain: str, key: list[str], now: datetime) -> None:
        """Start a streak for `key` without marking it said (an email that failed to go)."""
        entry = self.domains.get(domain)
        if not entry or entry.get("key") != key:
            self.domains[domain] = {"key": key, "first_seen": now.isoformat()}

    def clear_domain(self, domain: str) -> None:
        self.domains.pop(domain, None)

    def run_failure_decision(self, key: str, now: datetime) -> Decision:
        last = _parse_time(self.run_failures.get(key, {}).get("last_sent"))
        return Decision(send=last is None or not _same_day(last, now), last_sent=last)

    def record_run_failure(self, key: str, run_id: str, now: datetime) -> None:
        self.run_failures[key] = {"last_sent": now.isoformat(), "last_run": run_id}

    def clear_run_failures(self) -> None:
        self.run_failures.clear()

    def file_told(self, key: str) -> bool:
        """Whether the file problem `key` (kind, path, sha256) was already emailed."""
        return key in self.files

    def record_file(self, key: str, run_id: str, now: datetime) -> None:
        self.files[key] = {"last_sent": now.isoformat(), "last_run": run_id}

    def keep_files(self, keys: Iterable[str]) -> None:
        """Forget file problems no longer current (fixed or gone), so bytes delivered again
        later are told again and the state does not grow."""
        current = set(keys)
        self.files = {k: v for k, v in self.files.items() if k in current}


@dataclass(frozen=True)
class Decision:
    send: bool
    failing_since: datetime | None = None
    last_sent: datetime | None = None


def _parse_time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _same_day(earlier: datetime, now: datetime) -> bool:
    if earlier.tzinfo is not None and now.tzinfo is not None:
        earlier = earlier.astimezone(now.tzinfo)
    return earlier.date() == now.date()


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def fingerprint(*parts: object) -> str:
    """A short, stable digest of what a failure says, numbers left out (see the module doc)."""
    text = " | ".join(scrub_student_data(p) for p in parts if p is not None)
    text = " ".join(_NUMBER.sub("#", text.lower()).split())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def failure_key(failures: Iterable[CheckFailure]) -> list[str]:
    """The dedupe key of one domain's failures: each distinct check name with the fingerprint of
    its severity, observed value and meaning (which carries the school a rule names), sorted."""
    return sorted(
        {f"{f.check_name} #{fingerprint(f.severity, f.observed, f.meaning)}" for f in failures}
    )


def run_failure_key(job: str | None, step: str | None, kind: str, message: str) -> str:
    """The dedupe key of a crashed run: job, step, error type and the message's fingerprint."""
    return f"{job or '-'}|{step or '-'}|{kind}|{fingerprint(message)}"
