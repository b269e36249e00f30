-- Grain: one row per student and school year the student was enrolled in (a span in
-- fct_enrollment): the student as that year's aggregates and early warning count them. A prior
-- year's row keeps that year's grade, schools and program subgroups, so a 2024 figure is split by
-- 2024's subgroups and grade, not today's (dim_student holds the student now).
--   grade: the latest school year takes the SIS's users.grades when given; any year else takes
--     that year's classes (int_sis_student_grade_years: homeroom, else most classes).
--   schools: the school of record is the school of the student's last span of the year (the latest
--     exit, then the latest entry); school_ids lists every school of the year.
--   programs: the district's rule for that year (int_student_program_years).
--   race/ethnicity and sex: the SIS delivers them once, as they are now.
with enrollments as (
    select * from {{ ref('fct_enrollment') }}
),

schools as (
    select * from {{ ref('dim_school') }}
),

students as (
    select * from {{ ref('int_sis_students') }}
),

grade_years as (
    select * from {{ ref('int_sis_student_grade_years') }}
),

program_years as (
    select * from {{ ref('int_student_program_years') }}
),

latest_year as (
    select max(school_year) as school_year
    from {{ ref('int_school_years') }}
    where session_type = 'schoolyear'
),

spans as (
    select
        enrollments.student_key,
        enrollments.school_year,
        enrollments.school_key,
        schools.school_id,
        enrollments.entry_date,
        enrollments.exit_date,
        enrollments.instructional_days_enrolled,
        row_number() over (
            partition by enrollments.student_key, enrollments.school_year
            order by enrollments.exit_date desc, enrollments.entry_date desc, schools.school_id asc
        ) as n_from_last
    from enrollments
    left join schools on enrollments.school_key = schools.school_key
),

year_schools as (
    select distinct
        student_key,
        school_year,
        school_id
    from spans
),

school_lists as (
    select
        student_key,
        school_year,
        count(*) as n_schools,
        {{ dbt.listagg('school_id', "','", 'order by school_id') }} as school_ids
    from year_schools
    group by student_key, school_year
),

years as (
    select
        student_key,
        school_year,
        min(entry_date) as first_entry_date,
        max(exit_date) as last_exit_date,
        sum(instructional_days_enrolled) as n_days_enrolled,
        max(case when n_from_last = 1 then school_key end) as school_key
    from spans
    group by student_key, school_year
)

select
    {{ surrogate_key(['years.student_key', 'years.school_year']) }} as student_school_year_key,
    years.student_key,
    years.school_year,
    years.school_year = latest_year.school_year as is_latest_school_year,
    case
        when years.school_year = latest_year.school_year and students.grade_source = 'users.grades'
            then students.grade_level
        else grade_years.grade_level
    end as grade_level,
    case
        when years.school_year = latest_year.school_year and students.grade_source = 'users.grades'
            then students.grade_number
        else grade_years.grade_number
    end as grade_number,
    case
        when years.school_year = latest_year.school_year and students.grade_source = 'users.grades'
            then 'users.grades'
        else grade_years.grade_source
    end as grade_source,
    years.school_key,
    school_lists.n_schools,
    school_lists.school_ids,
    years.first_entry_date,
    years.last_exit_date,
    years.n_days_enrolled,
    students.sex,
    coalesce(students.race_ethnicity, 'Not Reported') as race_ethnicity,
    coalesce(program_years.is_english_learner, false) as is_english_learner,
    coalesce(program_years.has_disability, false) as has_disability,
    coalesce(program_years.is_low_income, false) as is_low_income,
    coalesce(program_years.has_504_plan, false) as has_504_plan
from years
inner join students on years.student_key = students.student_key
cross join latest_year
left join school_lists
    on years.student_key = school_lists.student_key
    and years.school_year = school_lists.school_year
left join grade_years
    on students.user_id = grade_years.user_id
    and years.school_year = grade_years.school_year
left join program_years
    on years.student_key = program_years.student_key
    and years.school_year = program_years.school_year
