with students as (
    select * from {{ ref('int_sis_students') }}
),

programs as (
    select * from {{ ref('stg_sis__programs') }}
),

as_of as (
    select max(end_date) as as_of_date from {{ ref('stg_sis__academic_sessions') }}
    where session_type = 'schoolyear'
),

open_programs as (
    select
        programs.student_id,
        max(case when programs.subgroup_column = 'is_english_learner' then 1 else 0 end) = 1 as is_english_learner,
        max(case when programs.subgroup_column = 'has_disability' then 1 else 0 end) = 1 as has_disability,
        max(case when programs.subgroup_column = 'is_low_income' then 1 else 0 end) = 1 as is_low_income,
        max(case when programs.subgroup_column = 'has_504_plan' then 1 else 0 end) = 1 as has_504_plan
    from programs
    cross join as_of
    -- A flag extract (one yes/no column per program) has no begin date: it holds as delivered.
    where programs.is_participating
        and (programs.begin_date is null or programs.begin_date <= as_of.as_of_date)
        and (programs.end_date is null or programs.end_date >= as_of.as_of_date)
    group by 1
)

select
    students.student_key,
    students.local_id,
    students.state_id,
    students.first_name,
    students.last_name,
    students.middle_name,
    students.birth_date,
    students.sex,
    coalesce(students.race_ethnicity, 'Not Reported') as race_ethnicity,
    students.grade_level,
    students.grade_number,
    students.grade_source,
    students.is_active,
    {{ surrogate_key(["'school'", 'students.current_school_id']) }} as current_school_key,
    coalesce(open_programs.is_english_learner, false) as is_english_learner,
    coalesce(open_programs.has_disability, false) as has_disability,
    coalesce(open_programs.is_low_income, false) as is_low_income,
    coalesce(open_programs.has_504_plan, false) as has_504_plan
from students
left join open_programs on students.local_id = open_programs.student_id
