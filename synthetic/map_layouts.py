"""NWEA MAP Growth as the Comprehensive Data File (`--benchmark map-cdf`).

The CDF splits what the combined export holds in one row: AssessmentResults.csv keeps the test
event without names, birth date, gender or grade; StudentsBySchool.csv lists each student's MAP
profile per term and school; ClassAssignments.csv their classes and teachers (layouts
`nwea_map_cdf_*`; staging joins results to students on term, student ID and school). The test
events are those of the combined export, row for row and with the same faults, except that a MAP
profile cannot exist without a StudentID, so the CDF has no blank IDs (`assessment.plan_map`
keeps those rows' real IDs).
"""

from __future__ import annotations

from pathlib import Path

from synthetic.assessment import MAP_FILE
from synthetic.config import DISTRICT_CODE
from synthetic.district import District
from synthetic.state_layouts import header
from synthetic.tables import columns, write_csv

#: AssessmentResults.csv of the CDF, 2021+ header (verbatim in `synthetic/headers/`): the columns
#: the district does not simulate (growth projections, goals, ...) are left empty.
RESULTS_COLUMNS = header("nwea_map_cdf_assessment_results")
STUDENTS_FILE = "StudentsBySchool.csv"
STUDENTS_COLUMNS = columns(
    "TermName,DistrictName,SchoolName,StudentLastName,StudentFirstName,StudentMI,StudentID,"
    "StudentDateOfBirth,StudentEthnicGroup,StudentGender,Grade"
)
CLASSES_FILE = "ClassAssignments.csv"
CLASSES_COLUMNS = columns("TermName,StudentID,SchoolName,ClassName,TeacherName")


def write_cdf(district: District, out: Path) -> dict[str, int]:
    """The three CDF files from `map_results` (the combined export's rows, faults included)."""
    con = district.con
    # The 2019+ CDF names Reading's Subject "Language Arts" (Course "Reading"; seed map_subjects).
    con.execute(
        f"""
        create or replace view map_cdf_results as
        select m.* replace (case when Subject = 'Reading' then 'Language Arts'
                                 else Subject end as Subject),
               '{DISTRICT_CODE}' as District_StateID, sc.state_code as School_StateID
        from map_results m left join schools sc on sc.name = m.SchoolName
        order by m.rid
        """
    )
    rows = {
        MAP_FILE: write_csv(con, "map_cdf_results", out / MAP_FILE, RESULTS_COLUMNS, sparse=True)
    }
    # One profile per term, ID and school as entered for the child tested. A mistyped ID that is
    # another child's tested there too comes after the owner's row: staging takes the last, so
    # the mistyped results carry the name of the child who took them, as in the combined file.
    con.execute(
        """
        create or replace table map_students_by_school as
        select row_number() over (
                   order by m.TermName, m.SchoolName, m.StudentID, m.f_mistyped_id, m.pid,
                            -- a child's profile spelt two ways in one term: a fixed order
                            m.StudentLastName, m.StudentFirstName, m.StudentMI,
                            m.StudentDateOfBirth, m.StudentGender, m.Grade
               ) as rid, m.*,
               case when p.hispanic then 'Hispanic or Latino'
                    when p.two_or_more then 'Multi-ethnic'
                    when p.asian then 'Asian'
                    when p.blackOrAfricanAmerican then 'Black or African American'
                    when p.americanIndianOrAlaskaNative then 'American Indian or Alaska Native'
                    when p.nativeHawaiianOrOtherPacificIslander
                        then 'Native Hawaiian or Other Pacific Islander'
                    else 'White' end as StudentEthnicGroup
        from (
            select distinct pid, f_mistyped_id, TermName, DistrictName, SchoolName,
                   StudentLastName, StudentFirstName, StudentMI, StudentID, StudentDateOfBirth,
                   StudentGender, Grade
            from map_results
        ) m join people p using (pid)
        """
    )
    rows[STUDENTS_FILE] = write_csv(
        con, "map_students_by_school", out / STUDENTS_FILE, STUDENTS_COLUMNS
    )
    # The classes a SIS student sat in at that school that year: an elementary homeroom (one
    # teacher, whom staging then names) or a secondary ELA and Math class (two: none named).
    con.execute(
        """
        create or replace table map_class_assignments as
        with tested as (
            select distinct m.pid, m.year, m.TermName, m.StudentID, m.SchoolName, sc.school
            from map_results m join schools sc on sc.name = m.SchoolName
        ),
        assigned as (
            select distinct t.TermName, t.StudentID, t.SchoolName,
                   case c.kind when 'HR' then 'Homeroom' when 'ELA' then 'English Language Arts'
                        else 'Mathematics' end
                       || ' ' || grade_code(c.grade) || '-'
                       || lpad(c.section_no::varchar, 2, '0') as ClassName,
                   te.last_name || ', ' || te.first_name as TeacherName
            from tested t
            join spans s on s.pid = t.pid and s.year = t.year and s.school = t.school
            join span_sections ss on ss.span_id = s.span_id
            join classes c
                 on c.year = ss.year and c.school = ss.school and c.grade = ss.grade
                and c.kind = ss.kind and c.section_no = ss.section_no
            join teachers te on te.sourced_id = c.teacher_sid
            where (c.grade <= 5) = (c.kind = 'HR')
        )
        select row_number() over (order by TermName, SchoolName, StudentID, ClassName) as rid, *
        from assigned
        """
    )
    rows[CLASSES_FILE] = write_csv(
        con, "map_class_assignments", out / CLASSES_FILE, CLASSES_COLUMNS
    )
    con.execute(
        "drop view map_cdf_results; drop table map_students_by_school; "
        "drop table map_class_assignments"
    )
    return rows
