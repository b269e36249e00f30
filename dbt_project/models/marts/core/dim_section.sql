with classes as (
    select * from {{ ref('stg_sis__classes') }}
),

courses as (
    select * from {{ ref('stg_sis__courses') }}
),

sessions as (
    select * from {{ ref('int_school_years') }}
),

subjects as (
    select * from {{ ref('academic_subjects') }} where {{ code_key('source') }} = 'ONEROSTER'
),

sis_teachers as (
    select * from {{ ref('int_sis_teachers') }}
),

teachers as (
    select
        section_id,
        min(user_id) as teacher_id,
        count(*) as n_primary_teachers
    from {{ ref('stg_sis__enrollments') }}
    where enrollment_role = 'teacher' and is_primary
    group by 1
)

select
    {{ surrogate_key(["'section'", 'classes.section_id']) }} as section_key,
    classes.section_id,
    classes.section_title,
    classes.class_code,
    classes.class_type,
    courses.course_code,
    courses.course_title,
    coalesce(subjects.academic_subject, classes.subjects) as academic_subject,
    classes.grade_codes,
    sessions.school_year,
    {{ surrogate_key(["'school'", 'classes.school_id']) }} as school_key,
    sis_teachers.teacher_key,
    coalesce(teachers.n_primary_teachers, 0) as n_primary_teachers
from classes
left join courses on classes.course_id = courses.course_id
left join sessions on {{ dbt.split_part('classes.term_ids', "','", 1) }} = sessions.session_id
left join subjects on {{ code_key('classes.subjects') }} = {{ code_key('subjects.local_code') }}
left join teachers on classes.section_id = teachers.section_id
left join sis_teachers on teachers.teacher_id = sis_teachers.staff_id
