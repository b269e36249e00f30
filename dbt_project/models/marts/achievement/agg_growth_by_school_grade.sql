-- Grain: one row per school, school year, MAP subject and grade tested (the school and grade of the
-- student's latest window): students tested in both the fall and the spring window and their mean
-- fall-to-spring RIT change, small cells suppressed (macros/suppression.sql) among the grades of
-- the same school, year and subject.
with growth as (
    select * from {{ ref('fct_student_growth') }}
    where rit_change_fall_to_spring is not null
),

cells as (
    select
        school_key,
        school_year,
        academic_subject,
        grade_level,
        count(*) as n_students,
        avg(cast(fall_rit as double precision)) as mean_fall_rit,
        avg(cast(spring_rit as double precision)) as mean_spring_rit,
        avg(cast(rit_change_fall_to_spring as double precision)) as mean_rit_change_fall_to_spring
    from growth
    group by 1, 2, 3, 4
),

keyed as (
    select
        {{ surrogate_key(['school_key', 'school_year', 'academic_subject', 'grade_level']) }} as growth_by_school_grade_key,
        school_key,
        school_year,
        academic_subject,
        grade_level,
        n_students,
        mean_fall_rit,
        mean_spring_rit,
        mean_rit_change_fall_to_spring
    from cells
),

suppressed as (
    {{ suppress_small_cells(
        'keyed',
        columns=['growth_by_school_grade_key', 'school_key', 'school_year', 'academic_subject', 'grade_level'],
        value_columns=['n_students', 'mean_fall_rit', 'mean_spring_rit', 'mean_rit_change_fall_to_spring'],
        partition_by=['school_key', 'school_year', 'academic_subject'],
        n_column='n_students',
        tiebreak='grade_level',
    ) }}
)

select
    growth_by_school_grade_key,
    school_key,
    school_year,
    academic_subject,
    grade_level,
    n_students,
    mean_fall_rit,
    mean_spring_rit,
    mean_rit_change_fall_to_spring,
    is_suppressed,
    suppression_reason
from suppressed
