"""Data-steward alerts: tell the people who own the data, in plain words, when its checks fail.

A failed check nobody hears about is a dashboard quietly showing wrong numbers. After each
consolidated load, every domain with failed checks gets ONE email to its stewards (named in the
district config file, see `settings.district`): which checks failed, whether they blocked
publishing (blocking = the source's new files were held back, or, when a mart failed, today's
marts were not published and yesterday's stay in place), how many
rows were quarantined and why, and where to look (Data Docs, quarantine tables). A run that
crashes, rather than a check that fails (and a dbt test that could not run), goes to district IT
instead, naming the cause.

The package follows the path of an alert:
  - `inputs`: failed checks and quarantine counts, as counts and rule names;
  - `scrub`: the FERPA guard (no student names, birth dates or IDs ever reach an email);
  - `compose`: the emails' text;
  - `state`: the once-a-day dedupe of repeats (keyed on the failure itself, not its kind);
  - `causes`: a crash's cause in words (a lock held, out of memory, a full disk);
  - `transport`: SMTP from the DISTRICTWIDE_SMTP_* environment, or an outbox folder;
  - `send`: one run's alerts, end to end;
  - `compose_files`, `send_files`: a file set aside (to its source's stewards) and the files no
    layout recognized (to district IT), each once per file bytes;
  - `after_run`: what a finished Dagster run tells `send` (its quality history, its dbt tests).
"""

from alerts.compose import DEFAULT_FROM, compose_domain_alert, compose_run_failure
from alerts.inputs import CheckFailure, QuarantineCount, Severity, default_quarantine_tables
from alerts.scrub import (
    StudentDataError,
    assert_no_student_data,
    scrub_error_message,
    scrub_student_data,
)
from alerts.send import AlertReport, Delivery, group_by_domain, send_alerts, send_run_failure
from alerts.state import AlertState, failure_key
from alerts.transport import (
    AlertConfigError,
    OutboxTransport,
    SmtpSettings,
    SmtpTransport,
    Transport,
    outbox_dir,
    transport_from_env,
)

__all__ = [
    "DEFAULT_FROM",
    "AlertConfigError",
    "AlertReport",
    "AlertState",
    "CheckFailure",
    "Delivery",
    "OutboxTransport",
    "QuarantineCount",
    "Severity",
    "SmtpSettings",
    "SmtpTransport",
    "StudentDataError",
    "Transport",
    "assert_no_student_data",
    "compose_domain_alert",
    "compose_run_failure",
    "default_quarantine_tables",
    "failure_key",
    "group_by_domain",
    "outbox_dir",
    "scrub_error_message",
    "scrub_student_data",
    "send_alerts",
    "send_run_failure",
    "transport_from_env",
]
