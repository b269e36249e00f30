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

-- The teacher of record: the section's primary-flagged teacher (the lowest sourcedId when the
-- SIS flags several), else its only or first teacher; fct_section_teacher lists them all.
section_teachers as (
    select
        section_id,
        user_id,
        is_primary,
        row_number() over (
            partition by section_id
            order by case when is_primary then 0 else 1 end, user_id
        ) as teacher_rank
    from {{ ref('stg_sis__enrollments') }}
    where enrollment_role = 'teacher'
),

teachers as (
    select
        section_id,
        max(case when teacher_rank = 1 then user_id end) as teacher_id,
        sum(case when is_primary then 1 else 0 end) as n_primary_teachers,
        count(*) as n_teachers
    from section_teachers
    group by 1
),

org_schools as (
    select * from {{ ref('int_sis_org_schools') }}
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
    {{ surrogate_key(["'school'", 'coalesce(org_schools.school_id, classes.school_id)']) }} as school_key,
    sis_teachers.teacher_key,
    coalesce(teachers.n_primary_teachers, 0) as n_primary_teachers,
    coalesce(teachers.n_teachers, 0) as n_teachers
from classes
left join courses on classes.course_id = courses.course_id
left join sessions on {{ dbt.split_part('classes.term_ids', "','", 1) }} = sessions.session_id
left join subjects on {{ code_key('classes.subjects') }} = {{ code_key('subjects.local_code') }}
left join teachers on classes.section_id = teachers.section_id
left join sis_teachers on teachers.teacher_id = sis_teachers.user_id
left join org_schools on classes.school_id = org_schools.org_id
