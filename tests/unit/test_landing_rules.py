"""The pure rules of landing (issue 17): archive names within the file system's limit, the
district's tolerance for parser rejects, a layout's secret columns, a load tidying leftovers only
when alone with the data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors import datalock
from connectors.landing import MAX_NAME_BYTES, archive_name, fit_name
from connectors.layout import Layout
from connectors.recognize import try_layout
from settings import LandingSettings


def test_a_name_within_the_limit_is_kept_and_a_longer_one_is_cut_with_a_hash() -> None:
    assert fit_name("users.csv") == "users.csv"
    long = "attendance_" + "é" * 150 + ".2025.csv"
    short = fit_name(long)
    assert len(long.encode()) > MAX_NAME_BYTES >= len(short.encode())
    assert short.startswith("attendance_é") and short.endswith(".2025.csv")
    assert fit_name(long) == short  # stable
    assert fit_name(long.replace("attendance_", "attendancf_")) != short  # the hash tells apart
    named = archive_name("a" * 64, long)
    assert named.startswith("a" * 64 + "-") and len(named.encode()) <= MAX_NAME_BYTES


def test_rejects_allowed_are_a_count_or_a_share_whichever_is_more() -> None:
    settings = LandingSettings()
    assert settings.rejects_allowed(100) == 10
    assert settings.rejects_allowed(1_500_000) == 15_000
    assert LandingSettings(max_rejected_lines=0, max_rejected_share=0).rejects_allowed(10**6) == 0
    with pytest.raises(ValueError):
        LandingSettings(max_rejected_share=2)


def layout(**extra: object) -> Layout:
    return Layout.model_validate(
        {
            "layout": "x_users",
            "title": "x",
            "vendor": "x",
            "source": "sis",
            "feeds": "users",
            "reference": "a cited reference",
            "columns": {"sourcedId": ["sourcedId"]},
            **extra,
        }
    )


def test_a_secret_column_is_placed_and_may_not_feed_a_column() -> None:
    match = try_layout(layout(secret_columns=["password"]), ["sourcedId,Password,x"])
    assert match.secret == (1,)
    with pytest.raises(ValueError, match="reads a secret column"):
        layout(secret_columns=["sourcedId"])


def test_leftovers_are_tidied_only_when_no_other_run_holds_the_folder(tmp_path: Path) -> None:
    tidied: list[str] = []
    other = datalock.acquire(tmp_path, exclusive=False)
    try:
        fd = datalock.acquire_shared_tidying(tmp_path, lambda: tidied.append("busy"))
        datalock.release(fd)
    finally:
        datalock.release(other)
    fd = datalock.acquire_shared_tidying(tmp_path, lambda: tidied.append("alone"))
    try:
        # Held shared afterwards: another load may share it, a backup may not.
        with datalock.writing(tmp_path, timeout=0):
            pass
        with pytest.raises(datalock.FolderBusy):
            datalock.acquire(tmp_path, exclusive=True, timeout=0)
    finally:
        datalock.release(fd)
    assert tidied == ["alone"]


def test_a_missing_final_line_ending_sets_aside_only_when_the_district_requires_one() -> None:
    """A complete last line without a line ending: loaded by default (many vendors end so);
    cut short when the district requires a final line ending. A last line short of fields stays
    cut short either way."""
    from connectors.load import cut_short
    from connectors.raw import ParseResult

    whole = ParseResult(10, 0, Path("raw"), Path("rejects"))
    short = ParseResult(9, 1, Path("raw"), Path("rejects"), True, None, "MISSING COLUMNS", 11)
    strict, lenient = LandingSettings(require_final_line_ending=True), LandingSettings()
    assert "no line ending after the last line" in cut_short("a.csv", 11, False, whole, strict)
    assert "require_final_line_ending" in cut_short("a.csv", 11, False, whole, strict)
    assert "the district requires one" in cut_short("a.csv", 11, False, whole, strict)
    assert cut_short("a.csv", 11, False, whole, lenient) is None
    # The layout's previous file ended with a line ending: this one was cut short.
    assert "the previous file of this layout ended with one" in cut_short(
        "a.csv", 11, False, whole, lenient, previous_ended=True
    )
    assert "short of fields" in cut_short("a.csv", 11, False, short, lenient)
