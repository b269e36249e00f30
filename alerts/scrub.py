"""The FERPA guard: an alert carries counts and rule names, never student names, birth dates or IDs.

Callers pass only counts and rule names; as a second line of defence every caller-supplied text
that goes into an email (`observed`, `meaning`, check and asset names, quarantine reasons, a
crashed run's error message) passes `scrub_student_data`, which replaces
  - date-like tokens (2012-03-04, 03/04/2012, 3-4-12, "March 4, 2012") → [date removed],
  - tokens holding a run of 5+ digits (state and local student IDs, `S0012345`, and 20120304)
    → [id removed],
  - email addresses → [email removed], and SSN-shaped 123-45-6789 → [id removed],
  - any value of the optional `forbidden` list (known names, birth dates, IDs) → [removed].
Numbers in `observed` are scrubbed like text, so an observed row count of 12000 shows as
[id removed]: report counts in `unexpected_count` (never scrubbed) or as "12,000". A crashed
run's error message additionally loses quoted literals that are not snake_case identifiers or
file paths (a database error quoting a row's value); an apostrophe inside a word ("can't") is
not a quotation mark. Finally the composed text is checked with
`assert_no_student_data`; a message that still holds a forbidden value is withheld, not sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

OBSERVED_MAX_CHARS = 200
ERROR_MAX_CHARS = 600


class StudentDataError(ValueError):
    """Text meant for an email holds a value known to identify a student; it is not sent."""


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_PATTERNS = (
    re.compile(r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    re.compile(r"\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b"),
    re.compile(rf"\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}}\b", re.IGNORECASE),
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\.?,?\s+\d{{2,4}}\b", re.IGNORECASE),
)
_EMAIL_TOKEN = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
# A whole token (letters, digits, _ and -) holding 5 or more digits in a row: 1234567, S0012345,
# 20120304. The decimals of a number (0.000123) are not a token of their own.
_ID_TOKEN = re.compile(r"(?<![\w-])(?<!\d\.)[\w-]*\d{5,}[\w-]*")
# A quoted literal opens after a non-word character and closes before one, so the apostrophe of
# "can't" or "district's" never opens or closes a quotation.
_QUOTED = re.compile(r"(?<!\w)(['\"])(.*?)\1(?!\w)")
# A file path (DuckDB quotes the file it could not lock or write): kept, then scrubbed as text.
_PATH = re.compile(r"^(?:/|[A-Za-z]:\\|\.{1,2}/)[^\s'\"]*$")
# A snake_case or dotted name, e.g. main.stg_sis__users (not a person's name or a value).
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$")

DATE_REMOVED = "[date removed]"
ID_REMOVED = "[id removed]"
EMAIL_REMOVED = "[email removed]"
REMOVED = "[removed]"


def scrub_student_data(text: object, forbidden: Iterable[str] = ()) -> str:
    """`text` as a string with date-, ID- and email-like tokens and `forbidden` values removed."""
    if isinstance(text, date):
        return DATE_REMOVED
    out = "" if text is None else str(text)
    for value in _forbidden_values(forbidden):
        out = _forbidden_pattern(value).sub(REMOVED, out)
    out = _EMAIL_TOKEN.sub(EMAIL_REMOVED, out)
    for pattern in _DATE_PATTERNS:
        out = pattern.sub(DATE_REMOVED, out)
    out = _SSN.sub(ID_REMOVED, out)
    return _ID_TOKEN.sub(ID_REMOVED, out)


def assert_no_student_data(text: str, forbidden: Iterable[str]) -> None:
    """Raise StudentDataError if `text` holds any `forbidden` value (case-insensitive, whole
    words). The message says how many values matched, never which: it may be logged."""
    hits = sum(1 for v in _forbidden_values(forbidden) if _forbidden_pattern(v).search(text))
    if hits:
        raise StudentDataError(f"text holds {hits} forbidden student value(s)")


def scrub_error_message(text: str, forbidden: Iterable[str] = ()) -> str:
    """A crashed run's error message, fit for email: quoted literals that are not snake_case
    identifiers (values of rows) are blanked, then `scrub_student_data`, then truncated."""

    def keep_identifiers(match: re.Match[str]) -> str:
        quote, inner = match.group(1), match.group(2)
        named = _IDENTIFIER.match(inner) and ("_" in inner or "." in inner)
        return match.group(0) if named or _PATH.match(inner) else f"{quote}…{quote}"

    cleaned = scrub_student_data(_QUOTED.sub(keep_identifiers, text), forbidden)
    return truncate(cleaned, ERROR_MAX_CHARS)


def _forbidden_values(forbidden: Iterable[str]) -> list[str]:
    return sorted({str(v).strip() for v in forbidden if str(v).strip()}, key=len, reverse=True)


def _forbidden_pattern(value: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(value)}(?!\w)", re.IGNORECASE)


def observed_text(observed: object, forbidden: Iterable[str]) -> str:
    if observed is None or observed == "":
        return "not recorded"
    if isinstance(observed, float):
        observed = f"{observed:.4g}"
    return truncate(scrub_student_data(observed, forbidden), OBSERVED_MAX_CHARS)


def truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
