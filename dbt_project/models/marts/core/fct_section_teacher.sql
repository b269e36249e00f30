-- Grain: one row per teacher per section enrollment (co-teachers, aides teaching as teachers,
-- a long-term substitute): every teacher-role enrollment of the section, the SIS's primary flag
-- kept. dim_section.teacher_key is the one teacher of record among them.
with enrollments as (
    select * from {{ ref('stg_sis__enrollments') }}
    where enrollment_role = 'teacher'
),

sections as (
    select * from {{ ref('dim_section') }}
),

teachers as (
    select * from {{ ref('int_sis_teachers') }}
)

select
    {{ surrogate_key(["'enrollment'", 'enrollments.enrollment_id']) }} as section_teacher_key,
    sections.section_key,
    teachers.teacher_key,
    sections.school_key,
    sections.school_year,
    enrollments.is_primary,
    teachers.teacher_key = sections.teacher_key as is_teacher_of_record,
    enrollments.begin_date,
    enrollments.end_date
from enrollments
inner join sections on enrollments.section_id = sections.section_id
inner join teachers on enrollments.user_id = teachers.user_id
