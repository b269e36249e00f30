-- School enrollment spans: a student's homeroom enrollment is their enrollment in the school
-- (docs/sources.md). An open end date runs to the end of the school year.
with enrollments as (
    select * from {{ ref('stg_sis__enrollments') }}
    where enrollment_role = 'student'
),

homerooms as (
    select * from {{ ref('stg_sis__classes') }}
    where class_type = 'homeroom'
),

sessions as (
    select * from {{ ref('int_school_years') }}
),

years as (
    select * from sessions where session_type = 'schoolyear'
),

students as (
    select * from {{ ref('int_sis_students') }}
),

-- A homeroom's school as OneRoster names it, or the school above a department named instead.
org_schools as (
    select * from {{ ref('int_sis_org_schools') }}
)

select distinct
    students.student_key,
    students.local_id,
    org_schools.school_id,
    {{ surrogate_key(["'school'", 'org_schools.school_id']) }} as school_key,
    years.school_year,
    coalesce(enrollments.begin_date, years.start_date) as entry_date,
    coalesce(enrollments.end_date, years.end_date) as exit_date
from enrollments
inner join homerooms on enrollments.section_id = homerooms.section_id
inner join sessions on {{ dbt.split_part('homerooms.term_ids', "','", 1) }} = sessions.session_id
inner join years on sessions.school_year = years.school_year
inner join students on enrollments.user_id = students.user_id
inner join org_schools on homerooms.school_id = org_schools.org_id and org_schools.school_id is not null
