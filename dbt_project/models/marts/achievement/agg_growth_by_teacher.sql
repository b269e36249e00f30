-- Grain: one row per teacher of record, school, school year and MAP subject, across the teacher's
-- sections at that school: students tested in both the fall and the spring window and their mean
-- fall-to-spring RIT change, small cells suppressed (macros/suppression.sql) among the teachers of
-- the same school, year and subject. The school is the one the students were counted at (their
-- class of record's school, dim_section.school_key), never the teacher's home school in the SIS:
-- a teacher at two schools (or who moved) has one row per school, and a school's row-level
-- security shows it only its own students. Students whose class of record has no teacher (a
-- rostering gap) are in no row.
with growth as (
    select * from {{ ref('fct_student_growth') }}
    where teacher_key is not null and rit_change_fall_to_spring is not null
),

sections as (
    select * from {{ ref('dim_section') }}
),

cells as (
    select
        growth.teacher_key,
        sections.school_key,
        growth.school_year,
        growth.academic_subject,
        {{ growth_means('growth') }}
    from growth
    inner join sections on growth.section_key = sections.section_key
    group by 1, 2, 3, 4
),

suppressed as (
    {{ keyed_and_suppressed(
        'cells',
        key_name='growth_by_teacher_key',
        key_columns=['teacher_key', 'school_key', 'school_year', 'academic_subject'],
        columns=['teacher_key', 'school_key', 'school_year', 'academic_subject'],
        value_columns=growth_values(),
        partition_by=['school_key', 'school_year', 'academic_subject'],
        tiebreak='teacher_key',
    ) }}
)

select
    growth_by_teacher_key,
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
