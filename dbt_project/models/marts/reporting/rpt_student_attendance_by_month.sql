-- Grain: one row per student per school per school year per calendar month
-- (fct_student_attendance_month), beside the same school's rate that month: the student profile's
-- "attendance by month against the school's". Staff only: student names, no suppression. Row-level
-- security: current_school_id for a principal, student_key for a teacher (dashboards/specs.yaml).
-- Incremental: after attendance increments only (connectors/increments.py), the months the
-- increments touch are deleted and built again (a row and its school's rate read only its own
-- month); every other build is a full refresh.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where calendar_month in ({{ attendance_increment_months() }}){% endif %}",
) }}  {#- student-level: why in dbt_project.yml #}
-- depends_on: {{ ref('base_attendance__exceptions') }}
with months as (
    select * from {{ ref('fct_student_attendance_month') }}
    where {{ in_built_school_years('school_year') }}
    {%- if is_incremental() %}
        and calendar_month in ({{ attendance_increment_months() }})
    {%- endif %}
),

students as (
    select * from {{ ref('dim_student') }}
),

schools as (
    select * from {{ ref('dim_school') }}
),

-- The school's own rate: every linked student's days that month (no subgroup, no suppression:
-- the figure is only shown to the school's staff beside one of its students).
school_months as (
    select
        school_key,
        school_year,
        calendar_month,
        {{ ratio('sum(n_days_present)', 'sum(n_days_enrolled)') }} as school_attendance_rate
    from months
    where not is_attendance_incomplete
    group by 1, 2, 3
)

select
    months.student_attendance_month_key,
    months.student_key,
    students.local_id,
    students.last_name || ', ' || students.first_name as student_name,
    students.grade_level,
    current_schools.school_id as current_school_id,
    schools.school_id,
    schools.school_name,
    months.school_year,
    months.calendar_month,
    months.n_days_enrolled,
    months.n_days_present,
    months.n_days_absent,
    months.n_days_absent_excused,
    months.n_days_absent_unexcused,
    months.n_days_out_of_school_suspension,
    {{ ratio('months.n_days_present', 'months.n_days_enrolled') }} as attendance_rate,
    school_months.school_attendance_rate
from months
inner join students on months.student_key = students.student_key
inner join schools on months.school_key = schools.school_key
left join schools as current_schools on students.current_school_key = current_schools.school_key
left join school_months
    on months.school_key = school_months.school_key
    and months.school_year = school_months.school_year
    and months.calendar_month = school_months.calendar_month
