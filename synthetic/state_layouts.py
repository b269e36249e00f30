"""The spring state test written in a real state's student data file layout (`--state`).

The simulated test is the same whichever layout is chosen: the same children, days, schools and
latent scores (`assessment.plan_state`, on the MCAS-like 440-560 scale of
docs/districtwide_layouts.md). A layout only renders it: its header (verbatim, from the layout
YAML's cited source, kept in `synthetic/headers/`), delimiter, line ending, date format, file
name, level codes and scale. A score is carried into another state's scale level by level
(linearly inside the level's band), so every child keeps their level and whether they are
proficient, and the truth's proficiency counts do not depend on the layout.

- `mcas`: Massachusetts DESE student-level results file, wide (one row per student and
  accountable school; ELA and Mathematics column groups, science left empty as the district
  simulates none), `MCAS<year>_spring_official_<district org code>.csv`, `MM/DD/YYYY` births,
  in the header of its school year (`MCAS_HEADERS`: `ecodis` to 2021, `lowincome` from 2022).
  A child tested at two schools (a move between the test days) has a row per school. The
  row-level faults (missing or mistyped SASID, name faults, duplicate, wrong field count) are
  those drawn for the row's first subject.
- `caaspp`: California CAASPP Student Score Data File, long (RecordType 01 ELA, 02 Math),
  caret-delimited with CRLF as TOMS ships it,
  `<district CDS>_CAASPP_Student_Score_Data_File_TestedStudentScoreData_<year>.csv`,
  Smarter Balanced scale (per grade and subject) and levels 1-4. Grade 10 is scored on the
  grade 11 scale (California tests grade 11, the simulated district grade 10).
- `cmas`: Colorado CMAS District Student Data File (Pearson), long (one row per student and
  test), comma-delimited, the verbatim 161-column Math/ELA header of 2021-22 to 2022-23,
  `co_csa_cmas<yy>_<district code>_Math_ELA_District_Student_Data_File.csv`, `YYYY-MM-DD`
  births, `AssessmentYear` as `2025-2026`, subjects as CMAS names them, scale 650-850 and levels
  1-5 (4 and 5 meet expectations). The simulated test has four levels: its lowest (NM) is split
  at 455 into CMAS levels 1 and 2, PM is level 3, M level 4, E level 5, so proficiency is the
  simulated one. Colorado tests grades 3-8 in CMAS ELA and math; the simulated grade 10 is
  written on grade 8's bands.
- `ilearn`: Indiana ILEARN StudentData export (Cambium CRS), long (one row per student and test),
  comma-delimited with CRLF, the verbatim SY2024 58-column header,
  `<corporation name>_StudentData_ILEARN_Spring_<year>_<id>.csv`, `MMDDYYYY` births, the test
  name as subject ("ILEARN Mathematics Grade 5"), IDOE's published scale ranges per test and the
  four named levels, one for each simulated level. Indiana tests grades 3-8; the simulated grade
  10 is written as taking the grade 8 test.
- `fast`: Florida FAST PM3 results as the FAST reporting system exports them, one CSV per test
  (`FAST_ELA_Grd<g>_PM3_<yyyy>.csv`, `FAST_Math_Grd<g>_PM3_<yyyy>.csv`, `<yyyy>` as `2526`),
  each in the verbatim header of a real 2022-23 export of that test (ELA Reading in one header
  for every grade, mathematics one header per grade), `Last, First` in one `Student Name`,
  `MM/DD/YYYY` births, `Test Reason` as `PM3 2025-26`, levels 1-5. Only tested students appear.
  The simulated test has four levels and FAST five of which 3-5 count as on grade level: NM is
  level 1, PM level 2, M level 3 and E is split at 545 into levels 4 and 5, so proficiency is
  the simulated one. Florida tests ELA Reading in grades 3-10 and mathematics in 3-8; the
  simulated grade 10 takes the grade 8 mathematics test (`Tested Grade` 8, `Enrolled Grade` 10).
- `mca`: Minnesota MCA-III District Student Results, one tab-delimited file per year and subject
  (`DSR160_<district>-01-000_MCA-III_<R|M>_<year>.txt`) in the verbatim 160-column 2022-23
  header, `YYYYMMDD` births, test code `VS`, levels D/P/M/E one for one with the simulated ones,
  score 1 `SSCO` on the grade's G01-G99 scale with MDE's G40 and G50 cuts and the Exceeds cut
  of `MCA_EXCEEDS` (mathematics: published; reading: MDE's theta cuts carried onto the scale,
  as the shipped crosswalk). Minnesota tests mathematics in grade 11: the simulated grade 10 is
  scored on the grade 11 scale (`GRADE` 10).
- `staar`: Texas STAAR grades 3-8 and end-of-course student data files, fixed-width without a
  header (synthetic/staar.py, which builds on this module's bands and ID helpers).

Schools keep the simulated district's state org codes (the OneRoster `identifier`), so the state
file's school code links to the SIS as in every state; a real California district would carry
14-digit CDS codes in both.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from synthetic import faults, id_traps
from synthetic.assessment import CUTS
from synthetic.config import DISTRICT_CODE, DISTRICT_NAME
from synthetic.district import District
from synthetic.tables import finalize_export, put_table, write_csv

HEADERS = Path(__file__).with_name("headers")

#: Smarter Balanced threshold scale scores per subject and grade: (lowest obtainable score,
#: level 2, level 3, level 4, highest obtainable score). Published by CDE/ETS in the CAASPP
#: Student Score Data File layout's scale-score range tables and Smarter Balanced's reporting
#: guides; grade 10 uses grade 11's.
CAASPP_BANDS: dict[str, dict[int, tuple[int, int, int, int, int]]] = {
    "ELA": {
        3: (2114, 2367, 2432, 2490, 2623),
        4: (2131, 2416, 2473, 2533, 2663),
        5: (2201, 2442, 2502, 2582, 2701),
        6: (2210, 2457, 2531, 2618, 2724),
        7: (2258, 2479, 2552, 2649, 2745),
        8: (2288, 2487, 2567, 2668, 2769),
        10: (2299, 2493, 2583, 2682, 2795),
    },
    "MATH": {
        3: (2189, 2381, 2436, 2501, 2621),
        4: (2204, 2411, 2485, 2549, 2659),
        5: (2219, 2455, 2528, 2579, 2700),
        6: (2235, 2473, 2552, 2610, 2748),
        7: (2250, 2484, 2567, 2635, 2778),
        8: (2265, 2504, 2586, 2653, 2802),
        10: (2280, 2543, 2628, 2718, 2862),
    },
}
#: The reported scale of each layout whose scale is not the districtwide one (lowest, highest):
#: a district in that state sets it as `quality.state_scale_score_min/max` in its config.
#: CMAS ELA and mathematics threshold scale scores per subject and grade: (lowest obtainable,
#: level 2, level 3, level 4, level 5, highest obtainable). Source: CDE/Pearson's 2017-2018 CMAS
#: Mathematics and ELA Technical Report, Tables 1 and 2 (cited in the layout file); the same numbers
#: are the CMAS rows of settings/crosswalks/achievement_levels.csv. Grade 10 (not tested in CMAS)
#: uses grade 8's.
CMAS_BANDS: dict[str, dict[int, tuple[int, ...]]] = {
    "ELA": {
        3: (650, 700, 725, 750, 810, 850),
        4: (650, 700, 725, 750, 790, 850),
        5: (650, 700, 725, 750, 799, 850),
        6: (650, 700, 725, 750, 790, 850),
        7: (650, 700, 725, 750, 785, 850),
        8: (650, 700, 725, 750, 794, 850),
    },
    "MATH": {
        3: (650, 700, 725, 750, 790, 850),
        4: (650, 700, 725, 750, 796, 850),
        5: (650, 700, 725, 750, 790, 850),
        6: (650, 700, 725, 750, 788, 850),
        7: (650, 700, 725, 750, 786, 850),
        8: (650, 700, 725, 750, 801, 850),
    },
}
for _grades in CMAS_BANDS.values():
    _grades[10] = _grades[8]
#: ILEARN scale score ranges per subject and grade: (lowest obtainable, Approaching, At, Above
#: Proficiency, highest obtainable). Source: IDOE's ILEARN 2019-2020 Technical Report, Volume 5,
#: Tables 7 and 8 (cited in the layout file); the ILEARN rows of
#: settings/crosswalks/achievement_levels.csv hold the same. Grade 10 takes the grade 8 test.
ILEARN_BANDS: dict[str, dict[int, tuple[int, ...]]] = {
    "ELA": {
        3: (5060, 5416, 5460, 5515, 5760),
        4: (5090, 5444, 5493, 5547, 5810),
        5: (5110, 5472, 5524, 5595, 5850),
        6: (5130, 5492, 5544, 5604, 5870),
        7: (5130, 5507, 5568, 5629, 5890),
        8: (5150, 5511, 5577, 5638, 5920),
    },
    "MATH": {
        3: (6080, 6382, 6425, 6488, 6730),
        4: (6100, 6429, 6474, 6541, 6800),
        5: (6110, 6453, 6510, 6566, 6850),
        6: (6110, 6488, 6545, 6605, 6870),
        7: (6120, 6493, 6562, 6625, 6920),
        8: (6120, 6509, 6590, 6651, 6950),
    },
}
for _grades in ILEARN_BANDS.values():
    _grades[10] = _grades[8]
#: FAST scale score ranges per subject and grade: (lowest obtainable, level 2, 3, 4, 5, highest
#: obtainable). THE GENERATOR'S OWN ASSUMPTION, not a verified source: the numbers are the
#: 2024 B.E.S.T. cuts (State Board of Education, January 2024, Rule 6A-1.09422 F.A.C.) as third
#: parties transcribe them (an NBC Miami explainer of 2024-05-11 for ELA Reading grades 3-5, a
#: public repository's copy of FLDOE's "FAST Achievement Level Scale Scores including Learning
#: Gains Subcategories" chart, a score calculator for grade 8 mathematics), which agree with one
#: another; neither the rule's text nor the FLDOE chart itself could be read here, so the FAST
#: rows of settings/crosswalks/achievement_levels.csv keep their bands blank except ELA Reading
#: grade 3, which an FDOE Individual Student Report prints (the same numbers as here).
FAST_BANDS: dict[str, dict[int, tuple[int, ...]]] = {
    "ELA": {
        3: (140, 186, 201, 213, 225, 260),
        4: (154, 199, 213, 224, 237, 270),
        5: (160, 206, 222, 232, 246, 279),
        6: (161, 209, 225, 237, 250, 284),
        7: (165, 215, 232, 242, 257, 292),
        8: (169, 220, 238, 251, 262, 300),
        10: (179, 230, 247, 258, 271, 308),
    },
    "MATH": {
        3: (140, 183, 198, 209, 225, 260),
        4: (155, 200, 211, 221, 238, 273),
        5: (158, 207, 222, 234, 246, 285),
        6: (168, 213, 229, 239, 254, 287),
        7: (175, 223, 235, 247, 258, 288),
        8: (183, 227, 244, 254, 263, 291),
    },
}
FAST_BANDS["MATH"][10] = FAST_BANDS["MATH"][8]
#: Where the simulated score range is cut into FAST's five levels (E split at 545).
FAST_SIM_LOWS = (440, 470, 500, 530, 545)
#: The score column group of each FAST test, as its export header names it.
FAST_SCORE_GROUP = (
    {("ELA", g): "FAST ELA Reading" for g in (3, 4, 5, 6, 7, 8, 9, 10)}
    | {("MATH", 3): "FAST Grade 3 Mathematics"}
    | {("MATH", g): f"Grade {g} Mathematics" for g in (4, 5, 6, 7, 8)}
)
#: The lowest Exceeds the Standards score of each MCA-III test. Mathematics: the published cuts
#: (settings/crosswalks/achievement_levels.csv, sources there). Reading: as the crosswalk, no
#: published scale table: MDE publishes the reading cuts on the theta metric only
#: (Technical Manual 2019-20, Table 5.7), carried here onto the scale by the manual's
#: transformation (eq. 6.8-6.9: g50 + 10 x (theta_E - theta_M) / (theta_M - theta_P), rounded);
#: the same computation gives the published mathematics cuts from Table 5.23 exactly.
MCA_EXCEEDS = {
    "ELA": {3: 374, 4: 466, 5: 567, 6: 667, 7: 767, 8: 867, 10: 1064},
    "MATH": {3: 366, 4: 466, 5: 563, 6: 662, 7: 760, 8: 861, 11: 1164},
}
#: MCA-III scale per subject and grade: (G01, G40 Partially Meets, G50 Meets, Exceeds, G99).
#: Grade 10 mathematics: grade 11's.
MCA_BANDS: dict[str, dict[int, tuple[int, ...]]] = {
    subject: {
        g: (100 * g + 1, 100 * g + 40, 100 * g + 50, exceeds, 100 * g + 99)
        for g, exceeds in grades.items()
    }
    for subject, grades in MCA_EXCEEDS.items()
}
MCA_BANDS["MATH"][10] = MCA_BANDS["MATH"][11]
MCA_SUBJECT = {"ELA": "R", "MATH": "M"}
MCA_LEVELS = ("D", "P", "M", "E")
#: The spring test dates written (`TESTDATE`), month and day.
MCA_TEST_DAY = {"ELA": "0404", "MATH": "0418"}
ILEARN_TEST = {"ELA": "ILEARN English/Language Arts", "MATH": "ILEARN Mathematics"}
ILEARN_LEVELS = (
    "Below Proficiency",
    "Approaching Proficiency",
    "At Proficiency",
    "Above Proficiency",
)
#: The corporation (district) ID and the export ID in the ILEARN file name.
ILEARN_CORPORATION = DISTRICT_CODE
ILEARN_EXPORT_ID = "1000001"

#: CMAS subject names (`Subject`) and test codes (`TestCode` prefix) of the simulated subjects.
CMAS_SUBJECT = {"ELA": "English Language Arts/Literacy", "MATH": "Mathematics"}
CMAS_TEST_CODE = {"ELA": "ELA", "MATH": "MAT"}
#: Where the simulated score range is cut into CMAS's five levels (NM split at 455).
CMAS_SIM_LOWS = (440, 455, 470, 500, 530)

SCALES = {
    "caaspp": (
        min(b[0] for g in CAASPP_BANDS.values() for b in g.values()),
        max(b[4] for g in CAASPP_BANDS.values() for b in g.values()),
    ),
    "cmas": (650, 850),
    "mca": (
        min(b[0] for g in MCA_BANDS.values() for b in g.values()),
        max(b[4] for g in MCA_BANDS.values() for b in g.values()),
    ),
    "fast": (
        min(b[0] for g in FAST_BANDS.values() for b in g.values()),
        max(b[5] for g in FAST_BANDS.values() for b in g.values()),
    ),
    "ilearn": (
        min(b[0] for g in ILEARN_BANDS.values() for b in g.values()),
        max(b[4] for g in ILEARN_BANDS.values() for b in g.values()),
    ),
    # synthetic/staar.py: the lowest 3-8 score (STAAR_3_8_BANDS) to the highest EOC score.
    "staar": (1000, 6000),
}
CAASPP_RECORD_TYPE = {"ELA": "01", "MATH": "02"}
#: The district's 14-digit CDS-style code in the CAASPP file name and district columns.
CAASPP_DISTRICT = DISTRICT_CODE.ljust(14, "0")
#: The district's 8-digit DESE org code (`sprp_dis`, and the MCAS file name).
MCAS_DISTRICT = DISTRICT_CODE.ljust(8, "0")


def header(name: str) -> list[str]:
    """A layout's verbatim header (one line in `synthetic/headers/<name>.txt`) as a list.

    A name holding the delimiter keeps its quotes, so the header is written back verbatim."""
    line = (HEADERS / f"{name}.txt").read_text(encoding="utf-8").strip("\r\n")
    delimiter = next((d for d in ("^", "\t") if d in line), ",")
    names = next(csv.reader([line], delimiter=delimiter))
    return [f'"{n}"' if delimiter in n else n for n in names]


def fast_header(subject: str, grade: int) -> list[str]:
    """The header of the FAST export of one test (ELA Reading: one for every grade)."""
    return header("fast_ela_reading" if subject == "ELA" else f"fast_math_grade{grade}")


#: The MCAS file's header by the first school year it was delivered in (verbatim, from the
#: layout's cited signatures): the 2019-2021 files carry `ecodis`, read by the layout version
#: mcas_student_data_2019; from 2022 `lowincome` (mcas_student_data). Years before 2019 get the
#: 2019 header (grade 10's legacy levels of those years are not simulated).
MCAS_HEADERS = (
    (2019, "mcas_student_data_2019"),
    (2020, "mcas_student_data_2020"),
    (2021, "mcas_student_data_2021"),
    (2022, "mcas_student_data_2022"),
    (2024, "mcas_student_data"),
)


def mcas_header(year: int) -> list[str]:
    """The MCAS header of school year `year`."""
    name = MCAS_HEADERS[0][1]
    for first, candidate in MCAS_HEADERS:
        if year >= first:
            name = candidate
    return header(name)


def mcas_file(year: int) -> str:
    return f"MCAS{year}_spring_official_{MCAS_DISTRICT}.csv"


def caaspp_file(year: int) -> str:
    return f"{CAASPP_DISTRICT}_CAASPP_Student_Score_Data_File_TestedStudentScoreData_{year}.csv"


def cmas_file(year: int) -> str:
    return f"co_csa_cmas{year % 100:02d}_{DISTRICT_CODE}_Math_ELA_District_Student_Data_File.csv"


def ilearn_file(year: int) -> str:
    name = DISTRICT_NAME.replace(" ", "_")
    return f"{name}_StudentData_ILEARN_Spring_{year}_{ILEARN_EXPORT_ID}.csv"


def fast_file(subject: str, grade: int, year: int) -> str:
    test = "ELA" if subject == "ELA" else "Math"
    return f"FAST_{test}_Grd{grade}_PM3_{(year - 1) % 100:02d}{year % 100:02d}.csv"


def mca_file(subject: str, year: int) -> str:
    return f"DSR160_{DISTRICT_CODE}-01-000_MCA-III_{MCA_SUBJECT[subject]}_{year}.txt"


def _case(column: str, mapping: dict[str, str]) -> str:
    whens = " ".join(f"when '{k}' then '{v}'" for k, v in mapping.items())
    return f"case {column} {whens} end"


SIM_LOWS = tuple(c[0] for c in CUTS)


#: A simulated score placed proportionally inside its level's published band (`b`: a bands
#: table of lo/hi published and sim_lo/sim_hi simulated ends, joined on the level).
SCALED_SCORE_SQL = (
    "b.lo + floor((score - b.sim_lo) * (b.hi - b.lo + 1) / (b.sim_hi - b.sim_lo + 1))::int"
)


def _level_index_sql(score: str, sim_lows: tuple[int, ...] = SIM_LOWS) -> str:
    """SQL: the 0-based level of a simulated score whose levels start at `sim_lows`."""
    return "(" + " + ".join(f"({score} >= {lo})::int" for lo in sim_lows[1:]) + ")"


def _bands_table(
    district: District,
    name: str = "caaspp_bands",
    bands: dict[str, dict[int, tuple[int, ...]]] = CAASPP_BANDS,
    sim_lows: tuple[int, ...] = SIM_LOWS,
) -> None:
    """Table `name(b_subject, b_grade, k, lo, hi, sim_lo, sim_hi)`: each level's band on the
    state's scale and on the simulated one (`bands` hold the lowest obtainable score, each
    level's lowest score from level 2 up, and the highest obtainable score)."""
    sim_highs = [*(lo - 1 for lo in sim_lows[1:]), 560]
    n_levels = len(sim_lows)
    keys = ("b_subject", "b_grade", "k", "lo", "hi", "sim_lo", "sim_hi")
    rows: dict[str, list] = {k: [] for k in keys}
    for subject, grades in bands.items():
        for grade, cuts in grades.items():
            for k in range(n_levels):
                rows["b_subject"].append(subject)
                rows["b_grade"].append(grade)
                rows["k"].append(k)
                rows["lo"].append(cuts[k])
                rows["hi"].append(cuts[k + 1] - 1 if k < n_levels - 1 else cuts[n_levels])
                rows["sim_lo"].append(sim_lows[k])
                rows["sim_hi"].append(sim_highs[k])
    put_table(district.con, name, **{k: np.array(v) for k, v in rows.items()})


def _people_extra(district: District) -> None:
    """Table `people_extra(pid, middle_name, sex)`: what the state files show beyond the plan."""
    district.con.execute(
        "create or replace table people_extra as select pid, middle_name, sex from people"
    )


def _typed_ids(district: District, table: str, plan: str, year: int) -> None:
    mistyped = district.con.execute(
        f"select seq, pid from {plan} where year = {year} and f_mistyped_id order by seq"
    ).fetchnumpy()
    id_traps.typed_ids_table(district, table, mistyped, kind="state", digit_change_share=0.0)


def write_caaspp(district: District, out: Path) -> dict[str, int]:
    """One caret-delimited CAASPP file per year, one row per student and test."""
    con = district.con
    _bands_table(district)
    _people_extra(district)
    columns = header("caaspp_student_score_data")
    written = {}
    for year in district.config.school_years:
        table = f"state_{year}"
        _typed_ids(district, f"{table}_typed", "state_plan", year)
        con.execute(
            f"""
            create or replace table {table}_base as
            with shown as ({faults.shown_names_sql(f"(from state_plan where year = {year})")})
            select seq, pid, subject, school, known_to, score, level, dup, bad_fields,
                   f_unknown_student, f_missing_id, f_mistyped_id, f_name_typo, f_swapped_names,
                   f_bad_field_count, t.owner, year as school_year, state_code as school_code,
                   {_case("subject", CAASPP_RECORD_TYPE)} as RecordType,
                   case when f_missing_id then '' when f_mistyped_id then t.typed
                        else i.state_id end as SSID,
                   case when bad_fields = 1 then shown_last || '^Jr' else shown_last end
                       as StudentLastName,
                   shown_first as StudentFirstName, middle_name as StudentMiddleName,
                   strftime(birth_date, '%Y-%m-%d') as DateofBirth,
                   case sex when 'male' then 'M' else 'F' end as Gender,
                   lpad(grade::varchar, 2, '0') as CALPADSGrade,
                   lpad(grade::varchar, 2, '0') as GradeAssessed,
                   '{CAASPP_DISTRICT}' as CALPADSDistrictCode,
                   '{DISTRICT_NAME}' as CALPADSDistrictName,
                   state_code as CALPADSSchoolCode, school_name as CALPADSSchoolName,
                   state_code as FinalTestedSchoolCode, school_name as FinalTestedSchoolName,
                   'Y' as Attemptedness, 'V' as ScoreStatus, 'Y' as IncludeIndicator,
                   {SCALED_SCORE_SQL} as ScaleScore,
                   (b.k + 1)::varchar as AchievementLevels,
                   'ZZ' as EndofRecord
            from shown join ids i using (pid)
            join (select school, name as school_name from schools) using (school)
            join people_extra using (pid)
            join caaspp_bands b
              on b.b_subject = shown.subject and b.b_grade = shown.grade
             and b.k = {_level_index_sql("score")}
            left join {table}_typed t using (seq)
            """
        )
        finalize_export(con, f"{table}_base", table)
        name = caaspp_file(year)
        district.exports.append((name, table))
        written[name] = write_csv(
            con,
            table,
            out / name,
            columns,
            newline="\r\n",
            bad_column="StudentLastName",
            delimiter="^",
            sparse=True,
        )
    con.execute("drop table state_plan; drop table caaspp_bands; drop table people_extra")
    return written


def _mcas_plan(district: District) -> None:
    """Table `mcas_plan`: one row per child, year and school, with the faults of its first
    subject row, and `mcas_results` (its subjects)."""
    con = district.con
    con.execute(
        """
        create or replace table mcas_rows as
        with firsts as (
            select *, min(seq) over (partition by year, pid, school) as first_seq
            from state_plan
        )
        select * exclude (first_seq),
               dense_rank() over (partition by year order by first_seq) as wseq
        from firsts;
        create or replace table mcas_results as
        select year, wseq, subject, score, level from mcas_rows;
        create or replace table mcas_plan as
        select * exclude (seq, subject, score, level) rename (wseq as seq)
        from mcas_rows
        qualify row_number() over (partition by year, wseq order by seq) = 1;
        drop table mcas_rows; drop table state_plan;
        """
    )


def write_mcas(district: District, out: Path) -> dict[str, int]:
    """One wide MCAS file per year; `state_<year>` holds its results one row per subject."""
    con = district.con
    _mcas_plan(district)
    _people_extra(district)
    groups = {"ELA": "e", "MATH": "m"}
    subject_columns = ", ".join(
        f"""
        max(case when r.subject = '{s}' then 'T' end) as {p}teststat,
        max(case when r.subject = '{s}' then 'O' end) as {p}mode,
        max(case when r.subject = '{s}' then r.score end) as {p}scaleds,
        max(case when r.subject = '{s}' then r.level end) as {p}perflev,
        max(case when r.subject = '{s}' then r.level end) as {p}perf2,
        max(case when r.subject = '{s}' then '1' end) as {p}assess,
        max(case when r.subject = '{s}' then 'F' end) as {p}attempt"""
        for s, p in groups.items()
    )
    written = {}
    for year in district.config.school_years:
        table = f"state_{year}"
        wide = f"mcas_{year}"
        _typed_ids(district, f"{wide}_typed", "mcas_plan", year)
        con.execute(
            f"""
            create or replace table {wide}_base as
            with shown as ({faults.shown_names_sql(f"(from mcas_plan where year = {year})")}),
            subjects as (
                select r.wseq as seq, {subject_columns}
                from mcas_results r where r.year = {year} group by r.wseq
            )
            select seq, pid, school, known_to, dup, bad_fields,
                   f_unknown_student, f_missing_id, f_mistyped_id, f_name_typo, f_swapped_names,
                   f_bad_field_count, t.owner, year as school_year, state_code as school_code,
                   cast(year as varchar) as adminyear, '{MCAS_DISTRICT}' as sprp_dis,
                   state_code as sprp_sch, '{DISTRICT_NAME}' as sprp_dis_name,
                   school_name as sprp_sch_name, 'Public School' as sprp_orgtype,
                   state_code as testschoolcode, school_name as testschoolname,
                   case when f_missing_id then '' when f_mistyped_id then t.typed
                        else i.state_id end as sasid,
                   lpad(grade::varchar, 2, '0') as "grade",
                   lpad(grade::varchar, 2, '0') as gradesims,
                   case when bad_fields = 1 then shown_last || ', Jr.' else shown_last end
                       as lastname,
                   shown_first as firstname, left(middle_name, 1) as mi,
                   strftime(birth_date, '%m/%d/%Y') as dob,
                   case sex when 'male' then 'M' else 'F' end as gender,
                   subjects.* exclude (seq)
            from shown join ids i using (pid)
            join (select school, name as school_name from schools) using (school)
            join subjects using (seq)
            join people_extra using (pid)
            left join {wide}_typed t using (seq)
            """
        )
        finalize_export(con, f"{wide}_base", wide)
        con.execute(
            f"""
            create or replace table {table} as
            select w.rid, w.pid, w.known_to, w.school_year, w.school_code, w.f_duplicate,
                   w.f_bad_field_count, r.subject, r.level
            from {wide} w join mcas_results r on r.year = {year} and r.wseq = w.seq
            """
        )
        name = mcas_file(year)
        district.exports.append((name, wide))
        written[name] = write_csv(
            con, wide, out / name, mcas_header(year), bad_column="lastname", sparse=True
        )
    con.execute("drop table mcas_plan; drop table mcas_results; drop table people_extra")
    return written


def write_cmas(district: District, out: Path) -> dict[str, int]:
    """One CMAS Math/ELA file per year, one row per student and test; `state_<year>` holds its
    rows with the simulated subject and level (what the truth counts)."""
    con = district.con
    _bands_table(district, "cmas_bands", CMAS_BANDS, CMAS_SIM_LOWS)
    _people_extra(district)
    columns = header("cmas_student_data")
    written = {}
    for year in district.config.school_years:
        table, long = f"state_{year}", f"cmas_{year}"
        _typed_ids(district, f"{long}_typed", "state_plan", year)
        con.execute(
            f"""
            create or replace table {long}_base as
            with shown as ({faults.shown_names_sql(f"(from state_plan where year = {year})")})
            select seq, pid, subject as sim_subject, school, known_to, score, level, dup,
                   bad_fields, f_unknown_student, f_missing_id, f_mistyped_id, f_name_typo,
                   f_swapped_names, f_bad_field_count, t.owner, year as school_year,
                   state_code as school_code,
                   'CO' as StateAbbreviation,
                   '{DISTRICT_CODE}' as TestingDistrictCode, state_code as TestingSchoolCode,
                   '{DISTRICT_CODE}' as ResponsibleDistrictCode,
                   state_code as ResponsibleSchoolCode,
                   case when f_missing_id then '' when f_mistyped_id then t.typed
                        else i.state_id end as StateStudentIdentifier,
                   case when bad_fields = 1 then shown_last || ', Jr.' else shown_last end
                       as LastOrSurname,
                   shown_first as FirstName, middle_name as MiddleName,
                   strftime(birth_date, '%Y-%m-%d') as Birthdate,
                   case sex when 'male' then 'M' else 'F' end as Sex,
                   grade::varchar as GradeLevelWhenAssessed,
                   {_case("subject", CMAS_TEST_CODE)} || lpad(grade::varchar, 2, '0')
                       as TestCode,
                   'Attempt' as TestStatus,
                   '{year - 1}-{year}' as AssessmentYear,
                   {_case("subject", CMAS_SUBJECT)} as "Subject",
                   '{DISTRICT_NAME}' as TestingDistrictName, school_name as TestingSchoolName,
                   '{DISTRICT_NAME}' as ResponsibleDistrictName,
                   school_name as ResponsibleSchoolName,
                   {SCALED_SCORE_SQL} as SS,
                   (b.k + 1)::varchar as PerfLVL
            from shown join ids i using (pid)
            join (select school, name as school_name from schools) using (school)
            join people_extra using (pid)
            join cmas_bands b
              on b.b_subject = shown.subject and b.b_grade = shown.grade
             and b.k = {_level_index_sql("score", CMAS_SIM_LOWS)}
            left join {long}_typed t using (seq)
            """
        )
        finalize_export(con, f"{long}_base", long)
        con.execute(
            f"""
            create or replace table {table} as
            select * exclude ("Subject") rename (sim_subject as subject) from {long}
            """
        )
        name = cmas_file(year)
        district.exports.append((name, long))
        written[name] = write_csv(
            con, long, out / name, columns, bad_column="LastOrSurname", sparse=True
        )
    con.execute("drop table state_plan; drop table cmas_bands; drop table people_extra")
    return written


def write_ilearn(district: District, out: Path) -> dict[str, int]:
    """One ILEARN StudentData file per year, one row per student and test (CRLF)."""
    con = district.con
    _bands_table(district, "ilearn_bands", ILEARN_BANDS)
    _people_extra(district)
    columns = header("ilearn_student_data")
    levels = " ".join(f"when {k} then '{name}'" for k, name in enumerate(ILEARN_LEVELS))
    written = {}
    for year in district.config.school_years:
        table = f"state_{year}"
        _typed_ids(district, f"{table}_typed", "state_plan", year)
        con.execute(
            f"""
            create or replace table {table}_base as
            with shown as ({faults.shown_names_sql(f"(from state_plan where year = {year})")})
            select seq, pid, subject, school, known_to, score, level, dup, bad_fields,
                   f_unknown_student, f_missing_id, f_mistyped_id, f_name_typo, f_swapped_names,
                   f_bad_field_count, t.owner, year as school_year, state_code as school_code,
                   shown_first as "Student First Name",
                   case when bad_fields = 1 then shown_last || ', Jr.' else shown_last end
                       as "Student Last Name",
                   case when f_missing_id then '' when f_mistyped_id then t.typed
                        else i.state_id end as STN,
                   strftime(birth_date, '%m%d%Y') as "Student DOB",
                   case sex when 'male' then 'M' else 'F' end as Gender,
                   grade::varchar as "Enrolled Grade",
                   school_name as "Enrolled School", state_code as "Enrolled School ID",
                   '{DISTRICT_NAME}' as "Enrolled Corporation",
                   '{ILEARN_CORPORATION}' as "Enrolled Corporation ID",
                   {_case("subject", ILEARN_TEST)} || ' Grade '
                       || least(grade, 8)::varchar as "Test name",
                   {SCALED_SCORE_SQL} as "Overall scale score",
                   case b.k {levels} end as "Overall proficiency level"
            from shown join ids i using (pid)
            join (select school, name as school_name from schools) using (school)
            join people_extra using (pid)
            join ilearn_bands b
              on b.b_subject = shown.subject and b.b_grade = shown.grade
             and b.k = {_level_index_sql("score")}
            left join {table}_typed t using (seq)
            """
        )
        finalize_export(con, f"{table}_base", table)
        name = ilearn_file(year)
        district.exports.append((name, table))
        written[name] = write_csv(
            con,
            table,
            out / name,
            columns,
            newline="\r\n",
            bad_column="Student Last Name",
            sparse=True,
        )
    con.execute("drop table state_plan; drop table ilearn_bands; drop table people_extra")
    return written


def write_fast(district: District, out: Path) -> dict[str, int]:
    """One FAST export per year and test (subject and grade), one row per student tested;
    `state_<year>` holds every test's rows with the simulated subject and level."""
    con = district.con
    _bands_table(district, "fast_bands", FAST_BANDS, FAST_SIM_LOWS)
    _people_extra(district)
    written = {}
    for year in district.config.school_years:
        table, rows = f"state_{year}", f"fast_{year}_rows"
        _typed_ids(district, f"{table}_typed", "state_plan", year)
        con.execute(
            f"""
            create or replace table {rows} as
            with shown as ({faults.shown_names_sql(f"(from state_plan where year = {year})")})
            select seq, pid, subject, school, known_to, score, level, dup, bad_fields,
                   f_unknown_student, f_missing_id, f_mistyped_id, f_name_typo, f_swapped_names,
                   f_bad_field_count, t.owner, year as school_year, state_code as school_code,
                   case when subject = 'MATH' then least(grade, 8) else grade end as test_grade,
                   shown_last || ', ' || shown_first as "Student Name",
                   case when f_missing_id then '' when f_mistyped_id then t.typed
                        else i.state_id end as "Student ID",
                   strftime(birth_date, '%m/%d/%Y') as "Student DOB",
                   grade::varchar as "Enrolled Grade",
                   case sex when 'male' then 'M' else 'F' end as "Gender (K-12)",
                   state_code as "Enrolled School", '{DISTRICT_CODE}' as "Enrolled District",
                   'PM3 {year - 1}-{year % 100:02d}' as "Test Reason", '1' as "Test OppNumber",
                   '05/12/{year}' as "Date Taken",
                   '05/12/{year}' as "Test Completion Date",
                   {SCALED_SCORE_SQL} as fast_score, (b.k + 1)::varchar as fast_level
            from shown join ids i using (pid)
            join people_extra using (pid)
            join fast_bands b
              on b.b_subject = shown.subject and b.b_grade = shown.grade
             and b.k = {_level_index_sql("score", FAST_SIM_LOWS)}
            left join {table}_typed t using (seq)
            """
        )
        tests = con.execute(
            f"select distinct subject, test_grade from {rows} order by all"
        ).fetchall()
        parts = []
        for subject, grade in tests:
            part = f"fast_{year}_{subject.lower()}_{grade}"
            group = FAST_SCORE_GROUP[(subject, grade)]
            con.execute(
                f"""
                create or replace table {part}_base as
                select * exclude (fast_score, fast_level),
                       fast_score as "{group} Scale Score",
                       fast_level as "{group} Achievement Level",
                       test_grade::varchar as "Tested Grade"
                from {rows} where subject = '{subject}' and test_grade = {grade}
                """
            )
            finalize_export(con, f"{part}_base", part)
            name = fast_file(subject, grade, year)
            district.exports.append((name, part))
            written[name] = write_csv(
                con,
                part,
                out / name,
                fast_header(subject, grade),
                bad_column="Student Name",
                sparse=True,
            )
            parts.append(
                f"select rid, pid, known_to, school_year, school_code, f_duplicate, "
                f"f_bad_field_count, subject, level from {part}"
            )
        con.execute(
            f"create or replace table {table} as {' union all '.join(parts)}; drop table {rows}"
        )
    con.execute("drop table state_plan; drop table fast_bands; drop table people_extra")
    return written


def write_mca(district: District, out: Path) -> dict[str, int]:
    """One MCA District Student Results file per year and subject (tab), one row per student
    tested; `state_<year>` holds both subjects' rows with the simulated subject and level."""
    con = district.con
    _bands_table(district, "mca_bands", MCA_BANDS)
    _people_extra(district)
    columns = header("mca_district_student_results")
    levels = " ".join(f"when {k} then '{code}'" for k, code in enumerate(MCA_LEVELS))
    written = {}
    for year in district.config.school_years:
        table, rows = f"state_{year}", f"mca_{year}_rows"
        _typed_ids(district, f"{table}_typed", "state_plan", year)
        con.execute(
            f"""
            create or replace table {rows} as
            with shown as ({faults.shown_names_sql(f"(from state_plan where year = {year})")})
            select seq, pid, subject, school, known_to, score, level, dup, bad_fields,
                   f_unknown_student, f_missing_id, f_mistyped_id, f_name_typo, f_swapped_names,
                   f_bad_field_count, t.owner, year as school_year, state_code as school_code,
                   'MCA-III' as TESTNAME,
                   '{year}' || {_case("subject", MCA_TEST_DAY)} as TESTDATE,
                   {_case("subject", MCA_SUBJECT)} as TESTSUBJECT,
                   grade::varchar as GRADE, 'A' as TESTFORM, '1' as FORMNUMBER,
                   '{DISTRICT_CODE}' as TESTINGDISTRICTNUMBER, '1' as TESTINGDISTRICTTYPE,
                   state_code as TESTINGSCHOOLNUMBER,
                   case when f_missing_id then '' when f_mistyped_id then t.typed
                        else i.state_id end as MARSSSTATEREPORTINGNUMBER,
                   case when bad_fields = 1 then shown_last || '\tJr' else shown_last end
                       as STUDENTLASTNAME,
                   shown_first as STUDENTFIRSTNAME, middle_name as STUDENTMIDDLENAME,
                   strftime(birth_date, '%Y%m%d') as DATEOFBIRTH,
                   case sex when 'male' then 'M' else 'F' end as GENDER,
                   'VS' as TESTCODE, case b.k {levels} end as ACHIEVEMENTLEVEL,
                   'SSCO' as SCORE1LABEL, {SCALED_SCORE_SQL} as SCORE1,
                   (b.b_grade * 100 + 1)::varchar || '-' || (b.b_grade * 100 + 99)::varchar
                       as SCORE1RANGE
            from shown join ids i using (pid)
            join people_extra using (pid)
            join mca_bands b
              on b.b_subject = shown.subject
             and b.b_grade = case when shown.subject = 'MATH' and shown.grade = 10 then 11
                                  else shown.grade end
             and b.k = {_level_index_sql("score")}
            left join {table}_typed t using (seq)
            """
        )
        parts = []
        for subject in ("ELA", "MATH"):
            part = f"mca_{year}_{subject.lower()}"
            con.execute(
                f"create or replace table {part}_base as "
                f"select * from {rows} where subject = '{subject}'"
            )
            finalize_export(con, f"{part}_base", part)
            name = mca_file(subject, year)
            district.exports.append((name, part))
            written[name] = write_csv(
                con,
                part,
                out / name,
                columns,
                bad_column="STUDENTLASTNAME",
                delimiter="\t",
                sparse=True,
            )
            parts.append(
                f"select rid, pid, known_to, school_year, school_code, f_duplicate, "
                f"f_bad_field_count, subject, level from {part}"
            )
        con.execute(
            f"create or replace table {table} as {' union all '.join(parts)}; drop table {rows}"
        )
    con.execute("drop table state_plan; drop table mca_bands; drop table people_extra")
    return written


WRITERS = {
    "mcas": write_mcas,
    "caaspp": write_caaspp,
    "cmas": write_cmas,
    "ilearn": write_ilearn,
    "fast": write_fast,
    "mca": write_mca,
}
