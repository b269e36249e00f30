-- Grain: one row per current student (rpt_early_warning's students: enrolled on the last
-- instructional day of the latest school year): the year's attendance with absences by kind and
-- the early-warning flags, for the student profile and the risk-sorted rosters. Staff only:
-- student names. Row-level security: current_school_id for a principal, student_key for a teacher.
-- Incremental: after attendance increments only (connectors/increments.py), the rows of the
-- students the increments touch are deleted and built again (a student's row reads only their own
-- flags and year); every other build is a full refresh.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where student_key in ({{ attendance_increment_students() }}){% endif %}",
) }}  {#- student-level: why in dbt_project.yml #}
-- depends_on: {{ ref('int_attendance_increment_students') }}
with warnings as (
    select * from {{ ref('rpt_early_warning') }}
    {%- if is_incremental() %}
    where student_key in ({{ attendance_increment_students() }})
    {%- endif %}
),

attendance_years as (
    select * from {{ ref('fct_student_attendance_year') }}
    {%- if is_incremental() %}
    where student_key in ({{ attendance_increment_students() }})
    {%- endif %}
),

schools as (
    select * from {{ ref('dim_school') }}
)

select
    warnings.early_warning_key,
    warnings.student_key,
    warnings.local_id,
    warnings.last_name || ', ' || warnings.first_name as student_name,
    warnings.grade_level,
    schools.school_id as current_school_id,
    warnings.school_name,
    warnings.school_year,
    attendance_years.n_days_enrolled,
    attendance_years.n_days_present,
    attendance_years.n_days_absent,
    attendance_years.n_days_absent_excused,
    attendance_years.n_days_absent_unexcused,
    attendance_years.n_days_out_of_school_suspension,
    attendance_years.attendance_rate,
    warnings.is_chronically_absent,
    warnings.not_proficient_latest_state_test,
    warnings.falling_benchmark_percentile,
    warnings.n_flags,
    warnings.risk_tier
from warnings
inner join schools on warnings.school_key = schools.school_key
left join attendance_years
    on warnings.student_key = attendance_years.student_key
    and warnings.school_year = attendance_years.school_year
