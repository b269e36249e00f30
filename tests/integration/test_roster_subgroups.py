"""Issue 16, points 4-7, on the generated district (against its truth) and the OneRoster fixtures:

- 4: a school's tested and proficient counts include every state result the file attributes to
  it, linked to a SIS student or not; the student subgroups count linked results only;
- 5: program subgroups are those of the result's school year under a district setting (any day of
  the year by default, or as of a date); the generator's programs end mid-year;
- 6: valid MAP RIT ranges come from crosswalk score_ranges; the generator's RITs of 93-98 load;
- 7: a warning names the source and the SIS field its IDs match when the field the settings name
  matches none of them (a GUID sourcedId; the generator's OneRoster 1.2 export has them).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from connectors.home import Home
from expectations.runner import run_suite
from expectations.suites import all_suites
from settings.metrics import MetricSettings
from tests.conftest import District
from tests.fixtures.dbt import run_dbt
from tests.fixtures.synthetic_files import rows_of
from tests.integration import test_oneroster
from tests.integration.test_oneroster import (
    build,
    deliver,
    deliver_attendance_with_district_numbers,
    land,
    rows,
)

pytestmark = pytest.mark.integration

#: The mart's subgroup value of a student in each program subgroup (macros/subgroups.sql).
IN_PROGRAM = {
    "is_english_learner": "English learner",
    "has_disability": "Students with disabilities",
    "is_low_income": "Low income",
}
ID_FIELD_RULE = "id_field_matches_another_sis_field"


def _mart_cells(district: District, subgroups: list[str]) -> dict[tuple, tuple]:
    """agg_proficiency_by_school cells keyed like the truth (year, state school code, generator
    subject code, subgroup, subgroup value): (is_suppressed, n_tested, n_proficient)."""
    with district.warehouse() as con:
        found = con.execute(
            f"""
            select p.school_year, sch.state_school_code, subj.local_code, p.subgroup,
                   p.subgroup_value, p.is_suppressed, p.n_tested, p.n_proficient
            from marts.agg_proficiency_by_school p
            join marts.dim_school sch using (school_key)
            join crosswalks.academic_subjects subj
                on subj.source = 'state' and subj.academic_subject = p.academic_subject
                and subj.local_code in ('ELA', 'MATH')
            where p.subgroup in ({", ".join(f"'{s}'" for s in subgroups)})
            """
        ).fetchall()
    return {r[:5]: r[5:] for r in found}


def test_tested_counts_per_school_include_results_not_linked_to_a_student(
    district: District,
) -> None:
    # Point 4: the truth counts every valid row the state file attributes to a school.
    expected = {
        (r["school_year"], r["school_code"], r["subject"], "all_students", "All students"): (
            r["n_tested"],
            r["n_proficient"],
        )
        for r in district.counts["assessment"]["state_proficient_by_school_subject"]
    }
    cells = _mart_cells(district, ["all_students"])
    assert set(cells) == set(expected)
    for key, (n_tested, n_proficient) in expected.items():
        suppressed, mart_tested, mart_proficient = cells[key]
        assert not suppressed, key
        assert (mart_tested, mart_proficient) == (n_tested, n_proficient), key
    with district.warehouse() as con:
        n_unlinked, wrong_grades, wrong_sex, n_schools = con.execute(
            """
            with per_school as (
                select school_key, school_year, academic_subject,
                       count(*) filter (where is_tested) as n_tested,
                       count(*) filter (where is_tested and is_linked) as n_linked
                from intermediate.int_state_results_by_school group by 1, 2, 3
            ),
            cells as (
                select school_key, school_year, academic_subject,
                       sum(n_tested) filter (where subgroup = 'grade_level') as by_grade,
                       sum(n_tested) filter (where subgroup = 'sex') as by_sex,
                       bool_or(is_suppressed) filter (where subgroup = 'grade_level')
                           as grade_suppressed,
                       bool_or(is_suppressed) filter (where subgroup = 'sex') as sex_suppressed
                from marts.agg_proficiency_by_school group by 1, 2, 3
            )
            select
                (select count(*) from intermediate.int_state_results_by_school
                 where not is_linked),
                count(*) filter (where not c.grade_suppressed and c.by_grade <> p.n_tested),
                count(*) filter (where not c.sex_suppressed and c.by_sex <> p.n_linked),
                count(*)
            from per_school p join cells c using (school_key, school_year, academic_subject)
            """
        ).fetchone()
    # The generated district has state results whose child is not linked (unknown to the SIS,
    # waiting for review): they are in the counts above.
    assert n_unlinked > 0
    # The grade tested is the file's: its cells add up to every result; sex needs the link.
    assert n_schools > 0 and wrong_grades == 0 and wrong_sex == 0


def test_program_subgroups_per_school_match_the_truth(district: District) -> None:
    # Point 5: any day of the year (the default); some programs end mid-year.
    truth = district.truth
    with district.warehouse() as con:
        wrong_students, n_students, n_ended_mid_year = con.execute(
            f"""
            with truth as (
                select s.sis_local_id, y.school_year, y.subgroup, y.open_any_day,
                       y.open_last_day
                from read_parquet('{truth}/program_years.parquet') y
                join read_parquet('{truth}/students.parquet') s using (true_student_id)
                where s.sis_local_id is not null
            ),
            mart as (
                select d.local_id, p.school_year, g.subgroup,
                       case g.subgroup when 'is_english_learner' then p.is_english_learner
                            when 'has_disability' then p.has_disability
                            else p.is_low_income end as flag
                from intermediate.int_student_program_years p
                join marts.dim_student d using (student_key)
                cross join (select unnest(['is_english_learner', 'has_disability',
                                           'is_low_income']) as subgroup) g
            )
            select
                count(*) filter (where m.flag is distinct from coalesce(t.open_any_day, false)),
                count(distinct m.local_id),
                count(*) filter (where t.open_any_day and not t.open_last_day)
            from mart m
            left join truth t
                on t.sis_local_id = m.local_id and t.school_year = m.school_year
                and t.subgroup = m.subgroup
            """
        ).fetchone()
        waiting = dict(
            ((r[0], r[1], r[2], r[3], r[4]), (r[5], r[6]))
            for r in con.execute(
                f"""
                select a.school_year, sch.state_school_code, subj.local_code, g.subgroup,
                       coalesce(y.open_any_day, false), count(*),
                       count(*) filter (where a.is_proficient)
                from intermediate.int_state_results_by_school a
                join marts.dim_school sch on sch.school_key = a.school_key
                join crosswalks.academic_subjects subj
                    on subj.source = 'state' and subj.academic_subject = a.academic_subject
                    and subj.local_code in ('ELA', 'MATH')
                join read_parquet('{truth}/records.parquet') r
                    on a._source_file = r.source_file and a._line_number = r.line_number
                join read_parquet('{truth}/students.parquet') s using (true_student_id)
                cross join (select unnest(['is_english_learner', 'has_disability',
                                           'is_low_income']) as subgroup) g
                left join read_parquet('{truth}/program_years.parquet') y
                    on y.true_student_id = s.true_student_id and y.school_year = a.school_year
                    and y.subgroup = g.subgroup
                where not a.is_linked and a.is_tested and s.sis_local_id is not null
                group by all
                """
            ).fetchall()
        )
    # Every SIS student's program subgroups, every year, are the truth's (any day of the year).
    assert n_students == district.counts["sis"]["students"]
    assert wrong_students == 0
    assert n_ended_mid_year > 0, "the generated district has no program ending mid-year"

    expected = {
        (r["school_year"], r["school_code"], r["subject"], r["subgroup"], r["in_subgroup"]): (
            r["n_tested"],
            r["n_proficient"],
        )
        for r in district.counts["assessment"]["state_by_school_program_subgroup"]
    }
    cells = _mart_cells(district, list(IN_PROGRAM))
    n_compared = 0
    for (year, school, subject, subgroup, in_subgroup), (
        n_tested,
        n_proficient,
    ) in expected.items():
        value = IN_PROGRAM[subgroup] if in_subgroup else None
        [cell] = [
            c
            for (y, sc, su, sg, v), c in cells.items()
            if (y, sc, su, sg) == (year, school, subject, subgroup)
            and (v == value if in_subgroup else v not in IN_PROGRAM.values())
        ]
        suppressed, mart_tested, mart_proficient = cell
        if suppressed:
            continue
        # Linked results in the mart, plus those waiting for a link (review, typos): the truth.
        w_tested, w_proficient = waiting.get((year, school, subject, subgroup, in_subgroup), (0, 0))
        assert (mart_tested + w_tested, mart_proficient + w_proficient) == (
            n_tested,
            n_proficient,
        ), (year, school, subject, subgroup, in_subgroup)
        n_compared += 1
    assert n_compared > len(expected) / 2


def test_program_subgroups_as_of_a_date_are_a_district_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Point 5's setting, on the OneRoster 1.1 fixture (school year 2026-08-24 to 2027-06-15).
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(tmp_path))
    monkeypatch.setattr(test_oneroster, "SELECT", "+dim_student +int_student_program_years")
    home = Home(tmp_path).ensure()
    deliver(home, "oneroster_1_1")
    path = home.landing / "sis" / "programs" / "programs.csv"
    path.parent.mkdir(parents=True)
    path.write_text(
        "studentSourcedId,programCode,beginDate,endDate\n"
        "usr-s-50001,ELL,2026-08-24,2026-09-30\n"  # reclassified in September
        "usr-s-50002,FRL,2026-11-02,\n"  # low income from November
        "usr-s-50003,SPED,2025-09-01,2026-06-30\n",  # exited before this year began
        encoding="utf-8",
    )
    land(home)
    flags = (
        "select local_id, is_english_learner, is_low_income, has_disability "
        "from marts.dim_student where local_id in ('usr-s-50001', 'usr-s-50002', 'usr-s-50003') "
        "order by 1"
    )
    settings = {
        None: [("usr-s-50001", True, False, False), ("usr-s-50002", False, True, False)],
        "10-01": [("usr-s-50001", False, False, False), ("usr-s-50002", False, False, False)],
        "last_day": [("usr-s-50001", False, False, False), ("usr-s-50002", False, True, False)],
    }
    for as_of, expected in settings.items():
        metrics = (
            MetricSettings()
            if as_of is None
            else MetricSettings(program_subgroup_rule="as_of", program_subgroup_as_of=as_of)
        )
        chosen = {k: str(v) for k, v in metrics.dbt_vars().items() if k.startswith("program_")}
        build(home, **chosen)
        assert rows(home, flags) == [*expected, ("usr-s-50003", False, False, False)], as_of


def test_rits_at_the_edge_of_the_scale_load(district: District) -> None:
    # Point 6: the generator writes kindergarten fall RITs of 93-98; the shipped score_ranges row
    # for MAP (80-350) keeps them, where the old fixed 100-350 rule quarantined them.
    low = _low_rit_lines(district)
    with district.warehouse() as con:
        n_staged, quarantined, rit_reasons, n_fact = con.execute(
            f"""
            select
                (select count(*) from staging.stg_assessment__map_results where rit_score < 100),
                (select count(*) from quarantine.quarantine_assessment
                    where entity = 'map_results' and line_number in ({", ".join(map(str, low))})),
                (select count(*) from quarantine.quarantine_assessment
                    where reason like 'RIT score%'),
                (select count(*) from marts.fct_assessment_result
                    where assessment = 'map' and scale_score < 100)
            """
        ).fetchone()
    assert len(low) >= 3 and n_staged > 0 and n_fact > 0
    assert rit_reasons == 0
    # Each low RIT line is staged, or quarantined for another reason (a duplicate copy, ...).
    assert n_staged + quarantined == len(low)


def _low_rit_lines(district: District) -> list[int]:
    """Physical lines of the MAP file with a RIT below 100."""
    path = district.home.landing / "assessment" / "AssessmentResults.csv"
    lines = rows_of(path)
    column = lines[0].index("TestRITScore")
    return [
        n
        for n, fields in enumerate(lines, start=1)
        if n > 1
        and len(fields) == len(lines[0])
        and fields[column].isdigit()
        and int(fields[column]) < 100
    ]


def test_a_narrower_score_range_quarantines_the_rits_outside_it(
    district: District, tmp_path: Path
) -> None:
    # Point 6's crosswalk: a district that sets MAP's floor at 100 quarantines the low RITs,
    # with the crosswalk named in the reason.
    root = tmp_path / "home"
    for folder in ("config", "raw", "warehouse"):
        shutil.copytree(district.home.root / folder, root / folder)
    ranges = root / "config" / "crosswalks" / "score_ranges.csv"
    lines = ranges.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("MAP,,,80,350,", "MAP,,,100,350,")
    ranges.write_text("\n".join(lines) + "\n", encoding="utf-8")
    select = ["--select", "score_ranges base_assessment__map_results"]
    run_dbt(root, ["run", *select], tmp_path / "dbt_target")
    reasons = dict(
        rows(
            Home(root),
            "select coalesce(_quarantine_reason, 'staged'), count(*) "
            "from staging.base_assessment__map_results where rit_score < 100 group by 1",
        )
    )
    # None staged; all but the other faults' rows (a duplicate copy is one) for the range.
    assert "staged" not in reasons
    assert reasons["RIT score missing or outside the RIT scale (crosswalk score_ranges)"] >= 3
    assert sum(reasons.values()) == len(_low_rit_lines(district))


def _id_field_outcome(home: Home):
    suite = next(s for s in all_suites() if s.name == "id_field_report")
    [outcome] = run_suite(suite, home.warehouse, run_id="t").outcomes
    return outcome


def test_ids_matching_another_sis_field_raise_a_warning_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Point 7 on the OneRoster 1.2 fixture: GUID sourcedIds, the district number in userIds.
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(tmp_path))
    monkeypatch.setattr(test_oneroster, "SELECT", "+dim_student +id_field_report")
    home = Home(tmp_path).ensure()
    deliver_attendance_with_district_numbers(home)
    land(home)

    # The district left sis.local_id at its default, sourcedId: the numbers link no one.
    build(home)
    outcome = _id_field_outcome(home)
    assert outcome.name.endswith(ID_FIELD_RULE)
    assert not outcome.success and not outcome.blocking
    # Counts and field names, never an ID.
    assert outcome.named == (
        "attendance local_id: 3 of 3 IDs match SIS field userIds:district, "
        "none match sourcedId (the setting)"
    )
    assert "3100" not in outcome.named

    # With the field the warning names, the IDs link and the rule passes.
    build(home, sis_local_id="userIds:district", sis_state_id="userIds:state")
    assert _id_field_outcome(home).success
    assert rows(
        home,
        "select n_matched, n_source_ids from audit.id_field_report "
        "where source_system = 'attendance' and is_setting",
    ) == [(3, 3)]


def test_the_generated_district_set_up_right_raises_no_id_field_warning(
    district: District,
) -> None:
    # The generated 1.1 district's settings name the fields its sources' IDs are in. The
    # session's district may be loaded more than once: no run raised the warning.
    with district.warehouse() as con:
        outcomes = con.execute(
            "select success from audit.quality_results where expectation like ?",
            [f"%{ID_FIELD_RULE}"],
        ).fetchall()
        matched = con.execute(
            "select source_system, id_kind, n_matched > 0.9 * n_source_ids "
            "from audit.id_field_report where is_setting order by 1, 2"
        ).fetchall()
    assert outcomes and all(success for (success,) in outcomes)
    assert matched == [
        ("attendance", "local_id", True),
        ("map", "local_id", True),
        ("state_assessment", "state_id", True),
    ]


def test_race_and_sex_subgroups_per_school_match_the_truth(district: District) -> None:
    """Every shown race/ethnicity and sex cell of agg_proficiency_by_school counts the linked
    results of the children whose true race (federal rule: Hispanic first, then two or more
    races) and sex put them in it: a wrong link, a lost demographic row or a home-school label
    would move a result to another cell."""
    truth = district.truth
    with district.warehouse() as con:
        expected = {
            r[:5]: r[5:]
            for r in con.execute(
                f"""
                with child as (
                    select true_student_id,
                        case when hispanic then 'Hispanic or Latino'
                             when two_or_more or (americanIndianOrAlaskaNative::int + asian::int
                                  + blackOrAfricanAmerican::int
                                  + nativeHawaiianOrOtherPacificIslander::int + white::int) > 1
                                  then 'Two or More Races'
                             when americanIndianOrAlaskaNative
                                  then 'American Indian or Alaska Native'
                             when asian then 'Asian'
                             when blackOrAfricanAmerican then 'Black or African American'
                             when nativeHawaiianOrOtherPacificIslander
                                  then 'Native Hawaiian or Other Pacific Islander'
                             when white then 'White' else 'Not Reported' end as race_ethnicity,
                        case sex when 'male' then 'Male' when 'female' then 'Female'
                             else 'Not Reported' end as sex
                    from read_parquet('{truth}/students.parquet')
                ),
                results as (
                    select a.school_year, sch.state_school_code, subj.local_code as subject,
                           c.race_ethnicity, c.sex, a.is_proficient
                    from intermediate.int_state_results_by_school a
                    join marts.dim_school sch on sch.school_key = a.school_key
                    join crosswalks.academic_subjects subj
                        on subj.source = 'state' and subj.academic_subject = a.academic_subject
                        and subj.local_code in ('ELA', 'MATH')
                    join read_parquet('{truth}/records.parquet') r
                        on a._source_file = r.source_file and a._line_number = r.line_number
                    join child c on c.true_student_id = r.true_student_id
                    where a.is_linked and a.is_tested
                )
                select school_year, state_school_code, subject, 'race_ethnicity', race_ethnicity,
                       count(*), count(*) filter (where is_proficient)
                from results group by all
                union all
                select school_year, state_school_code, subject, 'sex', sex,
                       count(*), count(*) filter (where is_proficient)
                from results group by all
                """
            ).fetchall()
        }
    cells = _mart_cells(district, ["race_ethnicity", "sex"])
    assert set(cells) == set(expected)
    shown = {key: cell for key, cell in cells.items() if not cell[0]}
    assert {key[3] for key in shown} == {"race_ethnicity", "sex"}, "no cell is shown"
    for key, (_, n_tested, n_proficient) in shown.items():
        assert (n_tested, n_proficient) == expected[key], key
