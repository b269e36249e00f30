"""Composing the emails about delivered files: one to a source's stewards per file set aside or
held back by a blocking check (which file, what is wrong, how to fix it), one per source and run
listing the files that loaded with a warning (one file: the per-file email), one to district IT
listing the files no layout recognized (header seen, closest layouts and what they lack, where a
layout goes).

The file is named by its path under landing/ as delivered; the error passes the FERPA scrub
(`scrub_error_message`: a quoted value, a date or an ID-like number in it is removed), and a
header line that holds values instead of column names is never quoted (`connectors.problems`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from email.message import EmailMessage

from alerts.compose import SUBJECT_PREFIX, aware_now, build_message, stamp
from alerts.scrub import assert_no_student_data, scrub_error_message, scrub_student_data
from connectors.problems import LAYOUTS_FOLDER, FileProblem, header_text
from settings.district import Contact

_HEADER_LINE = re.compile(r"^line 1\b(?!\d)")
FERPA_NOTE = (
    "This email names files and columns only, never student names, birth dates or IDs; the "
    "error text had quoted values, dates and ID-like numbers removed."
)


def compose_set_aside(
    problem: FileProblem,
    *,
    run_id: str,
    recipients: Sequence[Contact],
    sender: str,
    district_name: str = "districtwide",
    now: datetime | None = None,
    unconfigured_source: bool = False,
    forbidden: Iterable[str] = (),
) -> EmailMessage:
    """The steward's email about one file set aside, held back or unreadable in run `run_id`."""
    now = aware_now(now)
    forbidden = list(forbidden)
    source = problem.source or "an unknown source"
    what = {
        "held": "held back",
        "warning": "loaded with a warning",
        "unrecognized": "unreadable",
    }.get(problem.kind, "set aside")
    subject = f"{SUBJECT_PREFIX} {source}: file {what}: {problem.source_path}"
    error = error_text(problem, forbidden)
    article = "an" if source[:1] in "aeiou" else "a"
    why = {
        "held": "its rows failed a blocking quality check, so its new data was held back",
        "unrecognized": "it cannot be read as a delimited text file, so none of its rows were "
        "loaded",
        "warning": "its rows are in effect, but something in it needs a look",
    }.get(problem.kind, "it does not fit its layout, so none of its rows were loaded")
    lines = [
        f"{district_name}: {article} {source} file "
        + ("could not be read" if problem.kind == "unrecognized" else f"was {what}")
        + f" by run {run_id} "
        f"({stamp(now)}): {why}.",
        "",
        f"File:            landing/{problem.source_path}",
        f"Layout:          {problem.layout or 'not recorded'}",
        f"Received:        {problem.seen_at:%Y-%m-%d %H:%M} UTC",
        f"What is wrong:   {error}",
        f"How to fix it:   {problem.hint}",
        "",
        _meaning(problem),
        "",
        "--",
        _who(source, unconfigured_source),
        FERPA_NOTE,
    ]
    body = "\n".join(lines) + "\n"
    assert_no_student_data(subject + "\n" + body, forbidden)
    headers = {
        "X-Districtwide-Kind": {"held": "file-held-back", "warning": "file-warning"}.get(
            problem.kind, "file-set-aside"
        ),
        "X-Districtwide-Domain": source,
    }
    return build_message(subject, body, sender, recipients, run_id, now, headers)


def compose_warnings(
    problems: Sequence[FileProblem],
    *,
    run_id: str,
    recipients: Sequence[Contact],
    sender: str,
    district_name: str = "districtwide",
    now: datetime | None = None,
    unconfigured_source: bool = False,
    forbidden: Iterable[str] = (),
) -> EmailMessage:
    """One email to a source's stewards about every file of that source that loaded with a
    warning in run `run_id`: a OneRoster export of six files ending without a line ending sent
    six emails, one per file."""
    if len(problems) < 2:
        raise ValueError("a digest of warnings needs two files or more")
    now = aware_now(now)
    forbidden = list(forbidden)
    source = problems[0].source or "an unknown source"
    subject = f"{SUBJECT_PREFIX} {source}: {len(problems)} files loaded with a warning"
    lines = [
        f"{district_name}: {len(problems)} {source} files loaded by run {run_id} "
        f"({stamp(now)}) with a warning each: their rows are in effect, but something in each "
        "needs a look.",
        "",
    ]
    for i, problem in enumerate(problems, start=1):
        lines += [
            f"{i}. landing/{problem.source_path}",
            f"   Layout:        {problem.layout or 'not recorded'}",
            f"   Received:      {problem.seen_at:%Y-%m-%d %H:%M} UTC",
            f"   What is wrong: {error_text(problem, forbidden)}",
            f"   How to fix it: {problem.hint}",
            "",
        ]
    lines += [_meaning(problems[0]), "", "--", _who(source, unconfigured_source), FERPA_NOTE]
    body = "\n".join(lines) + "\n"
    assert_no_student_data(subject + "\n" + body, forbidden)
    headers = {"X-Districtwide-Kind": "file-warning", "X-Districtwide-Domain": source}
    return build_message(subject, body, sender, recipients, run_id, now, headers)


def _meaning(problem: FileProblem) -> str:
    if problem.kind == "warning":
        return (
            "What it means: this file loaded and its rows are in effect like any other; nothing "
            "was held back. Check what is named above in the source system; you will not be "
            "emailed about this file again until other bytes arrive under its name."
        )
    return (
        "What it means: the previous good delivery of this file stays in effect, and every "
        "other file loaded and was published as usual. This file is not tried again until a "
        "corrected one is dropped under the same name; you will not be emailed about this one "
        "again."
    )


def compose_unrecognized(
    problems: Sequence[FileProblem],
    *,
    run_id: str,
    recipients: Sequence[Contact],
    sender: str,
    district_name: str = "districtwide",
    now: datetime | None = None,
    forbidden: Iterable[str] = (),
) -> EmailMessage:
    """District IT's email listing the files no layout recognized (new since the last one)."""
    if not problems:
        raise ValueError("no unrecognized files: nothing to say")
    now = aware_now(now)
    forbidden = list(forbidden)
    n = len(problems)
    files = "file" if n == 1 else "files"
    subject = f"{SUBJECT_PREFIX} {n} delivered {files} recognized by no layout"
    lines = [
        f"{district_name}: run {run_id} ({stamp(now)}) found {n} {files} in landing that no "
        "layout recognizes by its header, or that were refused unread. None was loaded; each was "
        "archived unless said otherwise below; every other file loaded as usual.",
        "",
    ]
    for i, problem in enumerate(problems, start=1):
        lines.append(f"{i}. landing/{problem.source_path}")
        if problem.refused:
            lines.append(f"   Refused: {error_text(problem, forbidden)}")
            lines.append("   Archived: no (not read)")
            lines.append(f"   Fix:     {problem.hint}")
            lines.append("")
            continue
        lines.append(f"   Seen:    {scrub_student_data(header_text(problem), forbidden)}")
        for near in problem.closest:
            lines.append(f"   Closest: {near.layout}, which lacks {', '.join(near.missing)}")
        if not problem.closest:
            lines.append("   Closest: no shipped layout comes near")
        lines.append(f"   Fix:     {problem.hint}")
        lines.append("")
    lines += [
        "How to add a layout: write one YAML file in "
        f"{LAYOUTS_FOLDER} (copy the closest shipped layout, connectors/layouts/<source>/, and "
        "add the file's column names as aliases or its own columns; docs/sources.md lists every "
        "layout). `districtwide check FILE` says whether a file now matches; the next load "
        "takes the waiting file without renaming anything.",
        "",
        "--",
        "You get this because you are district IT in the district config file. Each file is "
        "reported once; the same bytes delivered again are not reported again.",
        FERPA_NOTE,
    ]
    body = "\n".join(lines) + "\n"
    assert_no_student_data(subject + "\n" + body, forbidden)
    headers = {"X-Districtwide-Kind": "files-unrecognized"}
    return build_message(subject, body, sender, recipients, run_id, now, headers)


def error_text(problem: FileProblem, forbidden: list[str]) -> str:
    """The error, scrubbed, without the file name it starts with (named above it).

    An error on line 1 is about the header, which its layout recognized as one: the column
    names it quotes are kept (dates, ID-like numbers and e-mails still go). Elsewhere a quoted
    literal may be a row's value, and is blanked.
    """
    error = problem.error.removeprefix(f"{problem.source_path}: ")
    if _HEADER_LINE.match(error):
        return scrub_student_data(error, forbidden)
    return scrub_error_message(error, forbidden)


def _who(source: str, unconfigured: bool) -> str:
    if unconfigured:
        return (
            f"The source {source!r} has no stewards in the district config file, so this went "
            "to district IT."
        )
    return f"You get this because you are a data steward of {source} in the district config file."
