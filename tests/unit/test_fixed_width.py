"""Recognizing headerless fixed-width files (connectors/fixed_width.py): by record length and the
fields that always hold a known pattern, never mistaken for a delimited file or the reverse."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.fixed_width import try_fixed_width
from connectors.layout import Layout
from connectors.recognize import Match, Miss, recognize
from tests.fixtures.layout_samples import FIXTURES, LAYOUTS

BY_NAME = {layout.layout: layout for layout in LAYOUTS}
STAAR_3_8 = BY_NAME["staar_3_8_student_data"]
EA_SAMPLE = FIXTURES / "staar_3_8_student_data" / "sample_anonymized_file.txt"


def sample_lines() -> list[str]:
    return EA_SAMPLE.read_text(encoding="ascii").splitlines()


def test_the_ea_sample_is_recognized_as_staar_3_8_among_all_layouts() -> None:
    seen = recognize(EA_SAMPLE, EA_SAMPLE.name, LAYOUTS)

    assert seen.match is not None, seen.explain(EA_SAMPLE.name)
    assert seen.match.layout.layout == "staar_3_8_student_data"
    assert seen.match.header == tuple(STAAR_3_8.fixed_width.fields)


def test_a_record_of_the_wrong_length_or_shape_is_not_staar() -> None:
    lines = sample_lines()

    assert isinstance(try_fixed_width(STAAR_3_8, lines), Match)
    # Cut short (no end-of-record period), or longer than TEA's 4,000 characters.
    assert isinstance(try_fixed_width(STAAR_3_8, [lines[0][:3000]]), Miss)
    assert isinstance(try_fixed_width(STAAR_3_8, [lines[0][:-1] + "  ."]), Miss)
    # The right length but a grade outside 03-08, or letters in the campus number.
    assert isinstance(try_fixed_width(STAAR_3_8, [lines[0][:4] + "11" + lines[0][6:]]), Miss)
    assert isinstance(try_fixed_width(STAAR_3_8, [lines[0][:8] + "ABC" + lines[0][11:]]), Miss)
    # Grade 3-8 records are not end-of-course records (2,000 characters).
    assert isinstance(try_fixed_width(BY_NAME["staar_eoc_student_data"], lines), Miss)


def test_a_cut_record_among_the_first_lines_is_left_to_the_parser() -> None:
    """A cut record, even the first, does not hide the file's layout: the parser rejects it with
    its line number; a file of no whole record is not recognized."""
    lines = sample_lines()

    assert isinstance(try_fixed_width(STAAR_3_8, [lines[0], lines[1][:200], lines[2]]), Match)
    assert isinstance(try_fixed_width(STAAR_3_8, [lines[0][:200], lines[1]]), Match)
    assert isinstance(try_fixed_width(STAAR_3_8, [line[:200] for line in lines]), Miss)


def test_a_delimited_file_is_never_fixed_width_and_the_reverse(tmp_path: Path) -> None:
    csv = tmp_path / "results.csv"
    # A CSV whose first line happens to start like a STAAR record.
    csv.write_text("0523,03,99,123456789,SAMPLE ISD\n" * 3, encoding="utf-8")
    wide = tmp_path / "wide.csv"
    wide.write_text(("0523" + "x" * 3994 + ".\n") * 2, encoding="utf-8")

    assert isinstance(try_fixed_width(STAAR_3_8, csv.read_text().splitlines()), Miss)
    assert isinstance(try_fixed_width(STAAR_3_8, wide.read_text().splitlines()), Miss)
    for sample in sorted(FIXTURES.rglob("*.csv"))[:40]:
        seen = recognize(sample, sample.name, LAYOUTS)
        assert seen.match is None or seen.match.layout.fixed_width is None, sample
    delimited = [layout for layout in LAYOUTS if layout.fixed_width is None]
    assert recognize(EA_SAMPLE, EA_SAMPLE.name, delimited).match is None


def test_a_fixed_width_layout_checks_its_fields() -> None:
    base = STAAR_3_8.model_dump(exclude={"path"})
    past_end = {**base["fixed_width"], "fields": {"x": {"start": 3999, "width": 5}}}
    with pytest.raises(ValueError, match="past the record's end"):
        Layout.model_validate({**base, "fixed_width": past_end})
    with pytest.raises(ValueError, match="not fields of fixed_width"):
        Layout.model_validate({**base, "columns": {**base["columns"], "LocalID": ["nosuch"]}})
    with pytest.raises(ValueError, match="no delimiter"):
        Layout.model_validate({**base, "delimiter": ","})
    # A column read where another is blank must read a field too.
    fallback = {"names": ["mathematics_scale_score"], "when_blank": ["nosuch"]}
    with pytest.raises(ValueError, match="not fields of fixed_width"):
        Layout.model_validate({**base, "columns": {**base["columns"], "LocalID": fallback}})


def test_a_layout_of_appended_versions_takes_each_of_their_record_lengths() -> None:
    """Ohio's Student Results file grew from 1,052 to 1,060 and 1,061 characters, each version
    appending fields after the ones read: every length in that range is a record, no other."""
    ohio = BY_NAME["ohio_state_tests_student_results_fixed"]
    sample = FIXTURES / "ohio_state_tests_student_results_fixed" / "Spring2024_OST_999999.txt"
    [line, *_] = sample.read_text(encoding="ascii").splitlines()

    assert len(line) == 1061
    for length in (1052, 1060, 1061):
        assert isinstance(try_fixed_width(ohio, [line[:length]]), Match), length
    for length in (1051, 1062):
        assert isinstance(try_fixed_width(ohio, [line[:length].ljust(length)]), Miss), length
    assert "(records of 1052-1061 characters; line 1 is 1051 characters)" in (
        try_fixed_width(ohio, [line[:1051]]).missing
    )
    # The test name and level are read from each version alike.
    seen = try_fixed_width(ohio, [line[:1052]])
    assert seen.when_blank == {"AchievementLevel": seen.header.index("overall_scale_score")}
