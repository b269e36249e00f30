-- Grain: one row per state test result the file attributes to a school (tested or not), linked
-- to a SIS student or not: what school and district counts of tested and proficient students
-- count. A result whose student is unmatched or waits in identity review is still a result of
-- its school; only the student subgroups (race/ethnicity, sex, programs) need the link, so
-- is_linked says whether they are known. The grade is the grade tested, from the file.
with results as (
    select * from {{ ref('int_assessment_results_linked') }}
    where assessment = 'state' and school_id is not null
),

students as (
    select * from {{ ref('dim_student') }}
),

program_years as (
    select * from {{ ref('int_student_program_years') }}
)

select
    results._source_file,
    results._line_number,
    {{ surrogate_key(["'school'", 'results.school_id']) }} as school_key,
    results.school_year,
    results.academic_subject,
    results.grade_level,
    results.is_tested,
    coalesce(results.is_proficient, false) as is_proficient,
    results.student_key,
    students.student_key is not null as is_linked,
    students.race_ethnicity,
    students.sex,
    program_years.is_english_learner,
    program_years.has_disability,
    program_years.is_low_income
from results
left join students on results.student_key = students.student_key
left join program_years
    on results.student_key = program_years.student_key
    and results.school_year = program_years.school_year
