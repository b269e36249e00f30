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
)

select distinct
    students.student_key,
    enrollments.user_id as local_id,
    homerooms.school_id,
    {{ surrogate_key(["'school'", 'homerooms.school_id']) }} as school_key,
    years.school_year,
    coalesce(enrollments.begin_date, years.start_date) as entry_date,
    coalesce(enrollments.end_date, years.end_date) as exit_date
from enrollments
inner join homerooms on enrollments.section_id = homerooms.section_id
inner join sessions on {{ dbt.split_part('homerooms.term_ids', "','", 1) }} = sessions.session_id
inner join years on sessions.school_year = years.school_year
inner join students on enrollments.user_id = students.local_id
