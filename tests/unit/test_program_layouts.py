"""Program extracts: the district's own flag layout documented in docs/districtwide_layouts.md is
valid and recognizes its report, and the shipped flag and long layouts tell their files apart."""

from __future__ import annotations

import re
from pathlib import Path

from connectors.layout import load_layouts
from connectors.recognize import recognize

DOCS = Path(__file__).resolve().parents[2] / "docs" / "districtwide_layouts.md"


def _documented_layout() -> str:
    text = DOCS.read_text(encoding="utf-8")
    [block] = re.findall(r"```yaml\n(# \$DISTRICTWIDE_HOME/config/layouts/.*?)```", text, re.S)
    return block


def test_the_documented_district_layout_maps_its_report_columns(tmp_path: Path) -> None:
    config = tmp_path / "config" / "layouts"
    config.mkdir(parents=True)
    (config / "our_sis_programs.yaml").write_text(_documented_layout(), encoding="utf-8")
    layouts = load_layouts(config)
    report = tmp_path / "student programs.csv"
    report.write_text(
        "Local ID,Last,First,LEP Status,IEP,504 Plan,Meal Status\n"
        "900001,Quillfeather,Ansel,Y,N,N,Yes\n",
        encoding="utf-8",
    )

    match = recognize(report, report.name, list(layouts)).match

    assert match is not None and match.layout.layout == "our_sis_programs"
    [group_codes] = [{g["programCode"].value for g in match.layout.unpivot}]
    assert group_codes == {"ELL", "SPED", "504", "FRL"}


def test_flag_and_long_extracts_are_told_apart(tmp_path: Path) -> None:
    layouts = [
        layout
        for layout in load_layouts()
        if layout.layout in {"sis_program_flags", "districtwide_sis_programs"}
    ]
    wide = tmp_path / "flags.csv"
    wide.write_text("StudentID,ELL,SPED,Sec504,FRL\n1,Y,N,N,Y\n", encoding="utf-8")
    long = tmp_path / "programs.csv"
    long.write_text("StudentID,ProgramCode,StartDate,ExitDate\n1,ELL,2025-09-02,\n", "utf-8")

    assert recognize(wide, wide.name, layouts).match.layout.layout == "sis_program_flags"
    assert recognize(long, long.name, layouts).match.layout.layout == "districtwide_sis_programs"
