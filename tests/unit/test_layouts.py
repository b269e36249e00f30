"""Every shipped layout: valid, and its sample files recognized (loading them as delivered is in
tests/integration/test_layout_loads.py).

Samples live in tests/fixtures/layouts/<layout>/ (the OneRoster 1.1 export in `oneroster_1_1/`),
named as the vendor or state names its files; each layout file says where its header comes from
and the samples' licence (synthetic people in the published header).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.catalog import render
from connectors.layout import (
    ColumnRule,
    Layout,
    load_layout,
    load_layouts,
    normalize_name,
    school_year_of,
    strptime_format,
)
from connectors.recognize import recognize
from tests.fixtures.layout_samples import FIXTURES, LAYOUTS, samples

BY_NAME = {layout.layout: layout for layout in LAYOUTS}


def test_every_shipped_layout_is_valid_and_names_its_source() -> None:
    assert len(LAYOUTS) >= 20
    for layout in LAYOUTS:
        assert layout.reference.strip(), layout.layout
        assert layout.signature, f"{layout.layout}: a layout needs at least one required column"


@pytest.mark.parametrize(("expected", "path"), samples(), ids=lambda v: getattr(v, "name", v))
def test_each_sample_is_recognized_as_its_layout(expected: str, path: Path) -> None:
    seen = recognize(path, path.name, LAYOUTS)

    assert seen.match is not None, seen.explain(path.name)
    assert seen.match.layout.layout == expected
    assert seen.error is None


def test_caret_and_tab_delimiters_are_read() -> None:
    caaspp = next((FIXTURES / "caaspp_student_score_data").glob("*"))
    students = FIXTURES / "powerschool_students" / "student.export.text"

    assert recognize(caaspp, caaspp.name, LAYOUTS).match.delimiter == "^"
    assert recognize(students, students.name, LAYOUTS).match.delimiter == "\t"


def test_header_names_match_without_case_spaces_or_punctuation(tmp_path: Path) -> None:
    path = tmp_path / "EXCEPTIONS.TXT"
    path.write_text("stu num;SCHOOL_CODE;Absence Date;att-code\n1;101;09/03/2025;A\n")

    seen = recognize(path, path.name, LAYOUTS)

    assert seen.match.layout.layout == "districtwide_attendance_exceptions"
    assert seen.match.delimiter == ";"
    assert normalize_name(" Stu_Num ") == "stunum"


def test_an_unknown_file_names_the_closest_layouts_and_what_they_lack(tmp_path: Path) -> None:
    path = tmp_path / "StemPreparatory_AssessmentResults_Fall2020.csv"
    path.write_text("TermName,StudentID,SchoolName,Subject\nFall 2020-2021,1,X,Mathematics\n")

    seen = recognize(path, path.name, LAYOUTS)

    assert seen.match is None
    message = seen.explain(path.name)
    assert "no layout matches its header (4 columns)" in message
    assert "nwea_map_cdf_assessment_results lacks" in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02PK\x03\x04binary", "binary data"),
    ],
)
def test_empty_and_binary_files_are_told_apart(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)

    assert expected in recognize(path, "landing/x.csv", LAYOUTS).explain("landing/x.csv")


def test_a_district_layout_overrides_a_shipped_one_by_name(tmp_path: Path) -> None:
    shipped = BY_NAME["districtwide_attendance_exceptions"].path
    own = tmp_path / "mine.yaml"
    own.write_text(
        shipped.read_text().replace("AttCode: [AttCode]", "AttCode: [AttCode, Code]"),
        encoding="utf-8",
    )

    layouts = {layout.layout: layout for layout in load_layouts(tmp_path)}

    assert layouts["districtwide_attendance_exceptions"].path == own
    assert load_layout(own).columns["AttCode"].names == ["AttCode", "Code"]


def test_date_formats_translate_to_strptime() -> None:
    assert strptime_format("MM/DD/YYYY") == "%m/%d/%Y"
    assert strptime_format("YYYYMMDD") == "%Y%m%d"
    assert strptime_format("M/D/YY") == "%m/%d/%y"
    assert strptime_format("DD-Mon-YY") == "%d-%b-%y"  # 05-Mar-24, as a spreadsheet writes it


def test_a_column_read_where_another_is_blank_is_placed_and_checked(tmp_path: Path) -> None:
    """Missouri's MAP file: the grade in GRADE_OF_STUDENT, or in GRADE_LEVEL where it is blank."""
    sample = next((FIXTURES / "missouri_map_student_data").iterdir())
    match = recognize(sample, sample.name, LAYOUTS).match

    assert match is not None and match.layout.layout == "missouri_map_student_data"
    assert match.header[match.positions["TestedGrade"]] == "GRADE_OF_STUDENT"
    assert match.header[match.when_blank["TestedGrade"]] == "GRADE_LEVEL"
    assert match.header[match.when_blank["ScaleScore"]] == "EOC_SCORE"
    with pytest.raises(ValueError, match="when_blank is for a column read from the file"):
        ColumnRule(names=["DOB"], date=["MMDDYY"], when_blank=["BirthDate"])
    assert ColumnRule(names=["DOB"], date=["MMDDYY", "MMDDYYYY", "MM/DD/YY"]).digit_date_widths == [
        6,
        8,
    ]


def test_docs_sources_md_is_the_catalogue_of_the_layout_files() -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "sources.md"

    assert page.read_text(encoding="utf-8") == render(LAYOUTS), (
        "run: python -m connectors.catalog > docs/sources.md"
    )


def _mcas(tmp_path: Path, header: str, year: str) -> Path:
    """A one-row MCAS file: the 2021 header (`ecodis`) or the 2024 one (`lowincome`)."""
    names = (Path(__file__).resolve().parents[2] / "synthetic" / "headers" / header).read_text()
    columns = names.strip().split(",")
    row = {"adminyear": year, "sasid": "1000000001", "grade": "05", "escaleds": "501"}
    path = tmp_path / f"MCAS{year}_spring_official_09990000.csv"
    path.write_text(names.strip() + "\n" + ",".join(row.get(c, "") for c in columns) + "\n")
    return path


@pytest.mark.parametrize(
    ("header", "year", "expected"),
    [
        ("mcas_student_data_2021.txt", "2021", "mcas_student_data_2019"),
        ("mcas_student_data_2019.txt", "2019", "mcas_student_data_2019"),
        ("mcas_student_data_2022.txt", "2023", "mcas_student_data"),
        ("mcas_student_data.txt", "2026", "mcas_student_data"),
    ],
)
def test_a_state_file_is_read_with_the_layout_version_of_its_school_year(
    tmp_path: Path, header: str, year: str, expected: str
) -> None:
    seen = recognize(_mcas(tmp_path, header, year), f"landing/MCAS{year}.csv", LAYOUTS)

    assert seen.match is not None and seen.match.layout.layout == expected


def test_a_file_of_a_year_no_version_reads_says_so(tmp_path: Path) -> None:
    # An `ecodis` header in a 2023 file: the 2019-2021 version fits the header, not the year.
    path = _mcas(tmp_path, "mcas_student_data_2021.txt", "2023")

    seen = recognize(path, path.name, LAYOUTS)

    assert seen.match is None
    expected = "mcas_student_data_2019 lacks (a version for school years 2019-2021; the file is of"
    assert f"{expected} 2023)" in seen.explain(path.name)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2024", 2024),
        ("2023-2024", 2024),
        ("2023-24", 2024),
        ("SY 2025-2026", 2026),
        ("SP24", 2024),  # DRC's spring administration (SC READY's TestAdmin)
        ("FA23", 2024),  # DRC's fall administration (SC EOCEP's TestAdmin)
        ("Fall2019", 2020),  # Ohio's Administration: fall of the school year it begins
        ("Spring2020", 2020),
        ("Summer2020", 2020),
        ("'22-'23", 2023),  # aimswebPlus's SchoolYear
        ("21-'22", 2022),
        ("18-19", 2019),
    ],
)
def test_school_year_of_reads_the_ending_year(text: str, year: int) -> None:
    assert school_year_of(text) == year


def test_school_year_of_names_none_in_a_value_without_a_year() -> None:
    assert school_year_of("0319") is None
    assert school_year_of("'22-'24") is None  # not consecutive
    assert school_year_of("") is None


def test_a_version_needs_a_school_year_column_and_ordered_years() -> None:
    mcas = BY_NAME["mcas_student_data"]
    data = mcas.model_dump(exclude={"path"})
    data["school_years"] = {"first": 2022, "last": 2019}
    with pytest.raises(ValueError, match="first 2022 is after last 2019"):
        Layout.model_validate(data)
    data["school_years"] = {"first": 2022}
    data["columns"] = {k: v for k, v in data["columns"].items() if k != "SchoolYear"}
    with pytest.raises(ValueError, match="school_years needs a SchoolYear column"):
        Layout.model_validate(data)


def test_a_wide_layout_takes_no_file_without_any_of_its_column_groups(tmp_path: Path) -> None:
    """FAST's subject groups are all optional; without its `requires` a file with FAST's identity
    columns and none of its groups (another Cambium state's long export) matched and loaded as
    no rows. A wide layout needs at least one of its groups."""
    data = BY_NAME["fast_student_results"].model_dump(exclude={"path"})
    data["requires"] = []
    layout = Layout.model_validate(data)
    path = tmp_path / "SCALT_Spring_2024.csv"
    path.write_text(
        "Test Subject,Student Name,Student ID,Student DOB,Enrolled Grade,Enrolled School,"
        "Enrolled District,Test Reason,Scale Score,Performance\n"
        'ELA,"Doe,Ann",7001,8/12/2014,4,100,8080,Spring 2024,512,Level 1\n'
    )

    seen = recognize(path, path.name, [layout])

    assert seen.match is None
    assert "(any of its column groups, such as FAST ELA Reading Scale Score)" in seen.explain(
        path.name
    )


def test_unpivot_each_repeats_every_group_once_per_value_with_its_names_filled() -> None:
    """FastBridge repeats one block of columns per screening period: one group, its period
    named in `{Window}`, gives a group per period with the period as its Window."""
    layout = BY_NAME["fastbridge_cat_screening"]
    windows = [group["Window"].value for group in layout.unpivot]
    assert windows == ["Fall", "Winter", "Spring", "Screening Period 4", "Screening Period 5"]
    winter = layout.unpivot[1]
    assert winter["ScaleScore"].names == ["Winter aReading Test Theta", "Winter aMath Test Theta"]
    assert winter["TestDate"].date == ["M/D/YY", "M/D/YYYY", "MM-DD-YYYY", "YYYY-MM-DD"]
    # Dumped, the layout is its expanded groups: validated again, it is the same layout.
    again = Layout.model_validate(layout.model_dump(exclude={"path"}))
    assert again.unpivot == layout.unpivot


def test_unpivot_each_needs_its_placeholder_and_fills_its_column_alone() -> None:
    data = BY_NAME["fastbridge_cat_screening"].model_dump(exclude={"path"})
    group = {"ScaleScore": ["{Window} Score"], "Percentile": ["Percentile"]}
    data["unpivot_each"] = {"Window": ["Fall", "Spring"]}
    data["unpivot"] = [{"ScaleScore": ["Fall Score"]}]
    with pytest.raises(ValueError, match=r"an unpivot group names no \{Window\} column"):
        Layout.model_validate(data)
    data["unpivot"] = [{**group, "Window": {"value": "Fall"}}]
    with pytest.raises(ValueError, match="unpivot_each fills Window"):
        Layout.model_validate(data)
    data["unpivot"] = [group]
    spring = Layout.model_validate(data).unpivot[1]
    assert (spring["Window"].value, spring["ScaleScore"].names) == ("Spring", ["Spring Score"])
    assert spring["Percentile"].names == ["Percentile"]  # a name without it is read as given


def test_a_layout_needing_one_of_many_columns_names_a_few_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    """FAST needs one of its 27 achievement-level columns: a file without any is told the first
    three and how many more, not a line of every grade's column name."""
    path = tmp_path / "results.csv"
    path.write_text(
        "Student Name,Student ID,Student DOB,Enrolled District,Enrolled School,Test Reason\n"
        "x,1,1/1/2012,d,s,PM3 2023-24\n"
    )

    [fast] = [
        m
        for m in recognize(path, path.name, LAYOUTS).closest()
        if m.layout.layout == "fast_student_results"
    ]

    [needed] = [m for m in fast.missing if "Achievement Level" in m]
    assert needed.endswith("more") and needed.count("Achievement Level") == 3, needed
