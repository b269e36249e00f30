-- Grain: one row per school, school year, MAP subject and grade (the school and grade of the
-- later year's latest window): students tested in the fall of the year before and in this fall,
-- and their mean fall-to-fall RIT change, small cells suppressed (macros/suppression.sql) among the
-- grades of the same school, year and subject, as agg_growth_by_school_grade does for one year.
with growth as (
    select * from {{ ref('fct_student_growth_across_years') }}
    where rit_change_fall_to_fall is not null
),

cells as (
    select
        school_key,
        school_year,
        academic_subject,
        grade_level,
        count(*) as n_students,
        avg(cast(prior_fall_rit as double precision)) as mean_prior_fall_rit,
        avg(cast(fall_rit as double precision)) as mean_fall_rit,
        avg(cast(rit_change_fall_to_fall as double precision)) as mean_rit_change_fall_to_fall
    from growth
    group by school_key, school_year, academic_subject, grade_level
),

suppressed as (
    {{ keyed_and_suppressed(
        'cells',
        key_name='growth_fall_to_fall_key',
        key_columns=['school_key', 'school_year', 'academic_subject', 'grade_level'],
        columns=['school_key', 'school_year', 'academic_subject', 'grade_level'],
        value_columns=['n_students', 'mean_prior_fall_rit', 'mean_fall_rit', 'mean_rit_change_fall_to_fall'],
        partition_by=['school_key', 'school_year', 'academic_subject'],
        tiebreak='grade_level',
    ) }}
)

select
    growth_fall_to_fall_key,
    school_key,
    school_year,
    academic_subject,
    grade_level,
    n_students,
    mean_prior_fall_rit,
    mean_fall_rit,
    mean_rit_change_fall_to_fall,
    is_suppressed,
    suppression_reason
from suppressed
