"""The generator's state files against the shipped bands: a district generated in each state
layout (`--state`), its state files staged with the shipped crosswalk defaults, gives every
valid result the truth's level and proficient flag, per grade and subject.

The generator draws one simulated test (levels NM, PM, M, E) and writes each score inside its
level's band on the state's scale (synthetic/state_layouts.py, synthetic/staar.py); staging
reads the file's level code through settings/crosswalks/achievement_levels.csv and quarantines a
score outside its level's band there. So a band the crosswalk holds and the generator does not
draw from (or a level code the crosswalk reads otherwise) shows here as a quarantined row or a
level unequal to truth/state_results.parquet. Only the state files are staged (no SIS): the
schools come from the district's school crosswalk.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from connectors.crosswalk_files import crosswalk_dir, ensure_crosswalks
from connectors.home import Home
from tests.conftest import generate
from tests.fixtures.dbt import stage_assessment

pytestmark = pytest.mark.integration

#: Each --state choice and the simulated level of each of its level orders (CMAS splits NM into
#: its levels 1 and 2, FAST splits E into its levels 4 and 5; the others map one for one).
FOUR = {1: "NM", 2: "PM", 3: "M", 4: "E"}
STATES = {
    "districtwide": FOUR,
    "mcas": FOUR,
    "caaspp": FOUR,
    "cmas": {1: "NM", 2: "NM", 3: "PM", 4: "M", 5: "E"},
    "ilearn": FOUR,
    "fast": {1: "NM", 2: "PM", 3: "M", 4: "E", 5: "E"},
    "mca": FOUR,
    "staar": FOUR,
}
SUBJECTS = {"English Language Arts": "ELA", "Mathematics": "MATH"}
#: Quarantine reasons the generator's own faults explain (an exact duplicate row; a row of the
#: wrong field count is rejected by the parser before staging).
FAULT_REASONS = {"duplicate row"}


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Home, dict[str, Path]]:
    """One home holding the state files of a 300-student district generated in each layout
    (the same children, seed 7), staged once; and each state's truth folder."""
    base = tmp_path_factory.mktemp("state-bands")
    home = Home(base / "home").ensure()
    landing = home.landing / "assessment"
    landing.mkdir(parents=True, exist_ok=True)
    truths: dict[str, Path] = {}
    schools: dict[str, str] = {}
    for state in STATES:
        root = base / state
        generate(root, 300, 7, "--state", state)
        truths[state] = root / "truth"
        files = duckdb.sql(
            f"select distinct source_file from '{root}/truth/records.parquet'"
        ).fetchall()
        state_files = {name for (name,) in files} & {
            p.name for p in (root / "landing" / "assessment").iterdir()
        }
        for name in state_files - {"AssessmentResults.csv"}:
            shutil.copy(root / "landing" / "assessment" / name, landing / name)
        counts = json.loads((root / "truth" / "counts.json").read_text(encoding="utf-8"))
        schools |= {s["state_code"]: s["sourced_id"] for s in counts["schools"]}
    ensure_crosswalks(home)
    crosswalks = crosswalk_dir(home)
    (crosswalks / "school_crosswalk.csv").write_text(
        "source_system,vendor_school,school_sourced_id,note\n"
        + "".join(f"state_assessment,{code},{sid},\n" for code, sid in sorted(schools.items())),
        encoding="utf-8",
    )
    # The simulated grade 10 takes California's grade 11 test: the district says so (as
    # test_generator_layouts does).
    levels = crosswalks / "achievement_levels.csv"
    grade_11 = [
        line
        for line in levels.read_text(encoding="utf-8").splitlines()
        if line.startswith(("CAASPP,01,11,", "CAASPP,02,11,"))
    ]
    with levels.open("a", encoding="utf-8") as out:
        out.writelines(line.replace(",11,", ",10,", 1) + "\n" for line in grade_11)
    stage_assessment(home)
    return home, truths


def rows(home: Home, sql: str) -> list[tuple]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_no_generated_score_falls_outside_its_band(staged: tuple[Home, dict[str, Path]]) -> None:
    home, _ = staged
    reasons = dict(
        rows(
            home,
            "select reason, count(*) from quarantine.quarantine_assessment "
            "where entity = 'state_results' and stage = 'staging' group by all",
        )
    )
    assert set(reasons) <= FAULT_REASONS, reasons


@pytest.mark.parametrize("state", sorted(STATES))
def test_levels_and_proficiency_equal_the_truth_per_grade_and_subject(
    staged: tuple[Home, dict[str, Path]], state: str
) -> None:
    home, truths = staged
    truth = truths[state]
    got = rows(
        home,
        f"""
        with records as (
            select * from read_parquet('{truth}/records.parquet')
            where faults not like '%duplicate%'
        ),
        staged as (
            select s.grade_number, s.academic_subject, s.level_order, s.is_proficient,
                   s.school_year, r.true_student_id
            from staging.stg_assessment__state_results s
            join records r on r.source_file = s._source_file
                          and r.line_number = s._line_number
            where s.is_tested
        )
        select s.grade_number, s.academic_subject, s.level_order, s.is_proficient,
               t.level, t.is_proficient
        from staged s
        full join read_parquet('{truth}/state_results.parquet') t
          on t.true_student_id = s.true_student_id and t.school_year = s.school_year
         and t.subject = case s.academic_subject when 'English Language Arts' then 'ELA'
                                                 when 'Mathematics' then 'MATH' end
        """,
    )
    levels = STATES[state]
    unmatched = [r for r in got if r[0] is None or r[4] is None]
    assert not unmatched, f"{len(unmatched)} of {len(got)} results staged or true only"
    by_group: dict[tuple[int, str], tuple[Counter, Counter]] = {}
    for grade, subject, order, proficient, true_level, true_proficient in got:
        staged_counts, true_counts = by_group.setdefault(
            (grade, SUBJECTS[subject]), (Counter(), Counter())
        )
        staged_counts[(levels[order], proficient)] += 1
        true_counts[(true_level, true_proficient)] += 1
    differ = {group: pair for group, pair in by_group.items() if pair[0] != pair[1]}
    assert not differ, differ
    # Every tested grade of both subjects is there, each with more than one level.
    assert {subject for _, subject in by_group} == {"ELA", "MATH"}
    assert len({grade for grade, _ in by_group}) >= 6, sorted(by_group)
    assert len({level for pair in by_group.values() for level, _ in pair[1]}) == 4
