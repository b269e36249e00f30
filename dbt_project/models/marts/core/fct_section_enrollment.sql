-- Grain: one row per student per section enrollment, with the section's teacher of record.
with enrollments as (
    select * from {{ ref('stg_sis__enrollments') }}
    where enrollment_role = 'student'
),

sections as (
    select * from {{ ref('dim_section') }}
),

students as (
    select * from {{ ref('int_sis_students') }}
)

select
    {{ surrogate_key(["'enrollment'", 'enrollments.enrollment_id']) }} as section_enrollment_key,
    students.student_key,
    sections.section_key,
    sections.teacher_key,
    sections.school_key,
    sections.school_year,
    sections.class_type,
    sections.academic_subject,
    enrollments.begin_date,
    enrollments.end_date
from enrollments
inner join students on enrollments.user_id = students.user_id
inner join sections on enrollments.section_id = sections.section_id
