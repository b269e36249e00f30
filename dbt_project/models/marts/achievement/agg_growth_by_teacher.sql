-- Grain: one row per teacher of record, school year and MAP subject, across the teacher's sections:
-- students tested in both the fall and the spring window and their mean fall-to-spring RIT change,
-- small cells suppressed (macros/suppression.sql) among the teachers of the same year and subject.
-- Students whose class of record has no teacher (a rostering gap) are in no row.
with growth as (
    select * from {{ ref('fct_student_growth') }}
    where teacher_key is not null and rit_change_fall_to_spring is not null
),

cells as (
    select
        teacher_key,
        school_year,
        academic_subject,
        count(*) as n_students,
        avg(cast(fall_rit as double precision)) as mean_fall_rit,
        avg(cast(spring_rit as double precision)) as mean_spring_rit,
        avg(cast(rit_change_fall_to_spring as double precision)) as mean_rit_change_fall_to_spring
    from growth
    group by 1, 2, 3
),

keyed as (
    select
        {{ surrogate_key(['teacher_key', 'school_year', 'academic_subject']) }} as growth_by_teacher_key,
        teacher_key,
        school_year,
        academic_subject,
        n_students,
        mean_fall_rit,
        mean_spring_rit,
        mean_rit_change_fall_to_spring
    from cells
),

suppressed as (
    {{ suppress_small_cells(
        'keyed',
        columns=['growth_by_teacher_key', 'teacher_key', 'school_year', 'academic_subject'],
        value_columns=['n_students', 'mean_fall_rit', 'mean_spring_rit', 'mean_rit_change_fall_to_spring'],
        partition_by=['school_year', 'academic_subject'],
        n_column='n_students',
        tiebreak='teacher_key',
    ) }}
)

select
    growth_by_teacher_key,
    teacher_key,
    school_year,
    academic_subject,
    n_students,
    mean_fall_rit,
    mean_spring_rit,
    mean_rit_change_fall_to_spring,
    is_suppressed,
    suppression_reason
from suppressed
