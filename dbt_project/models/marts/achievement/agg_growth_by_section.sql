-- Grain: one row per section (class of record of a MAP subject), school year and subject: students
-- tested in both the fall and the spring window and their mean fall-to-spring RIT change, small
-- cells suppressed (macros/suppression.sql) among the sections of the same school, year and subject.
with growth as (
    select * from {{ ref('fct_student_growth') }}
    where section_key is not null and rit_change_fall_to_spring is not null
),

sections as (
    select * from {{ ref('dim_section') }}
),

cells as (
    select
        growth.section_key,
        sections.teacher_key,
        sections.school_key,
        growth.school_year,
        growth.academic_subject,
        {{ growth_means('growth') }}
    from growth
    inner join sections on growth.section_key = sections.section_key
    group by 1, 2, 3, 4, 5
),

suppressed as (
    {{ keyed_and_suppressed(
        'cells',
        key_name='growth_by_section_key',
        key_columns=['section_key', 'school_year', 'academic_subject'],
        columns=['section_key', 'teacher_key', 'school_key', 'school_year', 'academic_subject'],
        value_columns=growth_values(),
        partition_by=['school_key', 'school_year', 'academic_subject'],
        tiebreak='section_key',
    ) }}
)

select
    growth_by_section_key,
    section_key,
    teacher_key,
    school_key,
    school_year,
    academic_subject,
    n_students,
    mean_fall_rit,
    mean_spring_rit,
    mean_rit_change_fall_to_spring,
    is_suppressed,
    suppression_reason
from suppressed
