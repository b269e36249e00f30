-- Grain: one row per student per school per school year: that school's enrolled days only. A
-- student who transferred mid-year has one row at each school (the district-wide count is in
-- fct_student_attendance_year). Built from the monthly rows, so months and years always add up.
-- Incremental: after attendance increments only (connectors/increments.py), the rows of the
-- students the increments touch are deleted and built again (a student's rows read only their own
-- months); every other build is a full refresh.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where student_key in ({{ attendance_increment_students() }}){% endif %}",
) }}
-- depends_on: {{ ref('int_attendance_increment_students') }}
with months as (
    select * from {{ ref('fct_student_attendance_month') }}
    where {{ in_built_school_years('school_year') }}
    {%- if is_incremental() %}
        and student_key in ({{ attendance_increment_students() }})
    {%- endif %}
),

days_per_school as (
    select
        student_key,
        school_key,
        school_year,
        min(first_day_enrolled) as first_day_enrolled,
        max(last_day_enrolled) as last_day_enrolled,
        sum(n_days_enrolled) as n_days_enrolled,
        max(case when is_attendance_incomplete then 1 else 0 end) = 1 as is_attendance_incomplete,
        sum(n_days_present) as n_days_present,
        sum(n_days_absent) as n_days_absent,
        sum(n_days_absent_excused) as n_days_absent_excused,
        sum(n_days_absent_unexcused) as n_days_absent_unexcused,
        sum(n_days_out_of_school_suspension) as n_days_out_of_school_suspension
    from months
    group by 1, 2, 3
)

select
    {{ surrogate_key(['student_key', 'school_key', 'school_year']) }} as student_attendance_school_year_key,
    student_key,
    school_key,
    school_year,
    first_day_enrolled,
    last_day_enrolled,
    n_days_enrolled,
    is_attendance_incomplete,
    n_days_present,
    n_days_absent,
    n_days_absent_excused,
    n_days_absent_unexcused,
    n_days_out_of_school_suspension,
    {{ ratio('n_days_present', 'n_days_enrolled') }} as attendance_rate,
    {{ ratio('n_days_absent', 'n_days_enrolled') }} as absence_rate,
    {{ meets_chronic_absence_min_days('n_days_enrolled') }} as meets_min_days_enrolled,
    case when not is_attendance_incomplete then {{ is_chronically_absent('n_days_absent', 'n_days_enrolled') }} end as is_chronically_absent
from days_per_school
