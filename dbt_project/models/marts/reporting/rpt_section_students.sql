-- Grain: one row per section of the current school year (the latest in dim_section) per student
-- enrolled in it per assessed subject: the section's own subject, or every assessed subject for a
-- section without one (an elementary homeroom). The teacher's section view: each student's latest
-- benchmark and state results, benchmark growth this year, attendance rate and early-warning flags.
-- Staff only: student names. Row-level security: section_key for a teacher (their own sections),
-- school_id for a principal (dashboards/specs.yaml).
-- Incremental: after attendance increments only (connectors/increments.py), the rows of the
-- students the increments touch are deleted and built again (a student's rows read only their own
-- results and flags); every other build is a full refresh.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where student_key in ({{ attendance_increment_students() }}){% endif %}",
) }}  {#- student-level: why in dbt_project.yml #}
-- depends_on: {{ ref('int_attendance_increment_students') }}
with sections as (
    select * from {{ ref('dim_section') }}
),

section_enrollments as (
    select * from {{ ref('fct_section_enrollment') }}
    {%- if is_incremental() %}
    where student_key in ({{ attendance_increment_students() }})
    {%- endif %}
),

students as (
    select * from {{ ref('dim_student') }}
),

schools as (
    select * from {{ ref('dim_school') }}
),

teachers as (
    select * from {{ ref('dim_teacher') }}
),

growth as (
    select * from {{ ref('fct_student_growth') }}
    {%- if is_incremental() %}
    where student_key in ({{ attendance_increment_students() }})
    {%- endif %}
),

state_results as (
    select * from {{ ref('fct_assessment_result') }}
    where assessment = 'state' and is_tested
    {%- if is_incremental() %}
    and student_key in ({{ attendance_increment_students() }})
    {%- endif %}
),

attendance_years as (
    select * from {{ ref('fct_student_attendance_year') }}
    {%- if is_incremental() %}
    where student_key in ({{ attendance_increment_students() }})
    {%- endif %}
),

warnings as (
    select * from {{ ref('rpt_early_warning') }}
    {%- if is_incremental() %}
    where student_key in ({{ attendance_increment_students() }})
    {%- endif %}
),

current_year as (
    select max(school_year) as school_year from sections
),

-- Every student's subjects, not only the merged students' (growth is narrowed on a merge).
assessed_subjects as (
    select distinct academic_subject from {{ ref('fct_student_growth') }}
),

current_sections as (
    select sections.*
    from sections
    inner join current_year on sections.school_year = current_year.school_year
),

section_subjects as (
    select
        current_sections.section_key,
        assessed_subjects.academic_subject
    from current_sections
    inner join assessed_subjects
        on current_sections.academic_subject = assessed_subjects.academic_subject
        or current_sections.academic_subject is null
),

section_students as (
    select distinct
        section_key,
        student_key
    from section_enrollments
),

latest_state as (
    select
        student_key,
        academic_subject,
        school_year,
        scale_score,
        achievement_level,
        is_proficient,
        row_number() over (
            partition by student_key, academic_subject
            order by school_year desc, test_date desc, assessment_result_key asc
        ) as n_from_latest
    from state_results
)

select
    {{ surrogate_key(['current_sections.section_key', 'section_students.student_key', 'section_subjects.academic_subject']) }} as section_student_key,
    current_sections.section_key,
    current_sections.section_id,
    current_sections.section_title,
    coalesce(teachers.last_name || ', ' || teachers.first_name, 'No teacher of record') as teacher_name,
    schools.school_id,
    schools.school_name,
    current_sections.school_year,
    section_subjects.academic_subject,
    section_students.student_key,
    students.local_id,
    students.last_name || ', ' || students.first_name as student_name,
    students.grade_level,
    coalesce(growth.spring_rit, growth.winter_rit, growth.fall_rit) as latest_benchmark_rit,
    coalesce(growth.spring_percentile, growth.winter_percentile, growth.fall_percentile) as latest_benchmark_percentile,
    case
        when growth.spring_rit is not null then 'Spring'
        when growth.winter_rit is not null then 'Winter'
        when growth.fall_rit is not null then 'Fall'
    end as latest_benchmark_window,
    coalesce(growth.spring_rit, growth.winter_rit) - growth.fall_rit as benchmark_rit_growth,
    latest_state.school_year as latest_state_test_year,
    latest_state.scale_score as latest_state_scale_score,
    latest_state.achievement_level as latest_state_level,
    latest_state.is_proficient as latest_state_is_proficient,
    attendance_years.attendance_rate,
    warnings.is_chronically_absent,
    warnings.not_proficient_latest_state_test,
    warnings.falling_benchmark_percentile,
    warnings.n_flags,
    warnings.risk_tier
from current_sections
inner join section_students on current_sections.section_key = section_students.section_key
inner join section_subjects on current_sections.section_key = section_subjects.section_key
inner join students on section_students.student_key = students.student_key
inner join schools on current_sections.school_key = schools.school_key
left join teachers on current_sections.teacher_key = teachers.teacher_key
left join growth
    on section_students.student_key = growth.student_key
    and current_sections.school_year = growth.school_year
    and section_subjects.academic_subject = growth.academic_subject
left join latest_state
    on section_students.student_key = latest_state.student_key
    and section_subjects.academic_subject = latest_state.academic_subject
    and latest_state.n_from_latest = 1
left join attendance_years
    on section_students.student_key = attendance_years.student_key
    and current_sections.school_year = attendance_years.school_year
left join warnings
    on section_students.student_key = warnings.student_key
    and current_sections.school_year = warnings.school_year
