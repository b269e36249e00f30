-- The attendance steward's list of students whose attendance is incomplete: enrolled, but no
-- attendance-system record is linked to them (int_attendance_unlinked_students), so the marts
-- cannot know their absences and leave them out of every rate. One row per student, school and
-- school year with the days they were enrolled there; no names (the records that wait, with
-- the names the attendance system gave, are in quarantine.identity_review). Linking the
-- student's record (config/crosswalks/identity_overrides.csv, or the ID fixed in the attendance
-- system) brings their days back on the next load.
with unlinked_students as (
    select * from {{ ref('int_attendance_unlinked_students') }}
),

school_years as (
    select * from {{ ref('fct_student_attendance_school_year') }}
    where is_attendance_incomplete
),

students as (
    select * from {{ ref('int_sis_students') }}
),

schools as (
    select * from {{ ref('dim_school') }}
)

select
    school_years.student_key,
    students.local_id,
    schools.school_id,
    schools.school_name,
    school_years.school_year,
    school_years.n_days_enrolled,
    school_years.meets_min_days_enrolled,
    unlinked_students.incomplete_reason
from school_years
inner join unlinked_students on school_years.student_key = unlinked_students.student_key
inner join students on school_years.student_key = students.student_key
inner join schools on school_years.school_key = schools.school_key
