-- Grain: one row per assessment result (fct_assessment_result) of a student the SIS knows: state
-- tests and benchmarks side by side, oldest first, for the student profile. Staff only: student
-- names. Row-level security: current_school_id for a principal (the school responsible for the
-- student now sees the history from earlier schools), student_key for a teacher.
{{ config(materialized='table') }}  {#- student-level: why in dbt_project.yml #}
with results as (
    select * from {{ ref('fct_assessment_result') }}
),

students as (
    select * from {{ ref('dim_student') }}
),

schools as (
    select * from {{ ref('dim_school') }}
)

select
    results.assessment_result_key,
    results.student_key,
    students.local_id,
    students.last_name || ', ' || students.first_name as student_name,
    current_schools.school_id as current_school_id,
    results.assessment,
    results.assessment_name,
    results.school_year,
    results.season,
    results.test_date,
    results.academic_subject,
    results.measure,
    results.grade_level,
    results.is_tested,
    results.not_tested_reason,
    results.scale_score,
    results.achievement_level,
    results.is_proficient,
    results.percentile
from results
inner join students on results.student_key = students.student_key
left join schools as current_schools on students.current_school_key = current_schools.school_key
