with students as (
    select * from {{ ref('int_sis_students') }}
),

-- The program subgroups of the latest school year, under the district's rule (any day of the
-- year, or as of a date: int_student_program_years). The aggregate marts that split by year read
-- that model by school year.
program_years as (
    select * from {{ ref('int_student_program_years') }}
    where school_year = (
        select max(latest.school_year) from {{ ref('int_student_program_years') }} as latest
    )
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
    coalesce(program_years.is_english_learner, false) as is_english_learner,
    coalesce(program_years.has_disability, false) as has_disability,
    coalesce(program_years.is_low_income, false) as is_low_income,
    coalesce(program_years.has_504_plan, false) as has_504_plan
from students
left join program_years on students.student_key = program_years.student_key
