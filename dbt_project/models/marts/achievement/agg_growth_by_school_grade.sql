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
        growth.school_key,
        growth.school_year,
        growth.academic_subject,
        growth.grade_level,
        {{ growth_means('growth') }}
    from growth
    group by 1, 2, 3, 4
),

suppressed as (
    {{ keyed_and_suppressed(
        'cells',
        key_name='growth_by_school_grade_key',
        key_columns=['school_key', 'school_year', 'academic_subject', 'grade_level'],
        columns=['school_key', 'school_year', 'academic_subject', 'grade_level'],
        value_columns=growth_values(),
        partition_by=['school_key', 'school_year', 'academic_subject'],
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
