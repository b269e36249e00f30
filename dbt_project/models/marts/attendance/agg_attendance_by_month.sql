-- Grain: one row per school, school year, calendar month and subgroup value (plus the
-- all-students row): the month's attendance rate, and the share of the month's students who
-- were absent at least var('chronic_absence_threshold') of their enrolled days that month
-- (students with at least var('chronic_absence_min_days') enrolled days in the month). Small
-- cells suppressed (macros/suppression.sql). Students whose attendance is incomplete (no linked
-- attendance record) are left out of the rates and counted in n_students_awaiting_review.
-- Incremental: after attendance increments only (connectors/increments.py), the months the
-- increments touch are deleted and built again from those months' student rows (every cell,
-- and its suppression, is within one month); every other build is a full refresh.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where calendar_month in ({{ attendance_increment_months() }}){% endif %}",
) }}
-- depends_on: {{ ref('base_attendance__exceptions') }}
with student_months as (
    select * from {{ ref('fct_student_attendance_month') }}
    where {{ in_built_school_years('school_year') }}
    {%- if is_incremental() %}
        and calendar_month in ({{ attendance_increment_months() }})
    {%- endif %}
),

-- The student as they were that school year: that year's grade and subgroups.
student_years as (
    select * from {{ ref('dim_student_school_year') }}
    where {{ in_built_school_years('school_year') }}
),

student_rows as (
    select
        student_months.school_key,
        student_months.school_year,
        student_months.calendar_month,
        student_months.is_attendance_incomplete,
        student_months.n_days_enrolled,
        student_months.n_days_present,
        not student_months.is_attendance_incomplete
            and {{ meets_chronic_absence_min_days('student_months.n_days_enrolled') }} as counts_for_chronic,
        {{ is_chronically_absent('student_months.n_days_absent', 'student_months.n_days_enrolled') }}
            as is_chronically_absent,
        {{ subgroup_attributes('student_years') }}
    from student_months
    inner join student_years
        on student_months.student_key = student_years.student_key
        and student_months.school_year = student_years.school_year
),

cells as (
    {{ subgroup_cells('student_rows', ['school_key', 'school_year', 'calendar_month'], [
        'cast(sum(case when is_attendance_incomplete then 0 else 1 end) as bigint) as n_students',
        'cast(sum(case when is_attendance_incomplete then 1 else 0 end) as bigint) as n_students_awaiting_review',
        'sum(case when counts_for_chronic then 1 else 0 end) as n_students_min_days',
        'sum(case when is_chronically_absent then 1 else 0 end) as n_chronically_absent',
        'sum(case when is_attendance_incomplete then 0 else n_days_enrolled end) as n_days_enrolled',
        'sum(n_days_present) as n_days_present',
    ]) }}
),

suppressed as (
    {{ keyed_and_suppressed(
        'cells',
        key_name='attendance_by_month_key',
        key_columns=['school_key', 'school_year', 'calendar_month', 'subgroup', 'subgroup_value'],
        columns=['school_key', 'school_year', 'calendar_month', 'subgroup', 'subgroup_value'],
        value_columns=['n_students', 'n_students_awaiting_review', 'n_chronically_absent', 'n_days_enrolled', 'n_days_present'],
        derived=[
            ['attendance_rate', ratio('n_days_present', 'n_days_enrolled')],
            ['chronic_absence_rate', ratio('n_chronically_absent', 'n_students_min_days')],
        ],
        partition_by=['school_key', 'school_year', 'calendar_month', 'subgroup'],
    ) }}
)

select
    attendance_by_month_key,
    school_key,
    school_year,
    calendar_month,
    subgroup,
    subgroup_value,
    n_students,
    n_students_awaiting_review,
    n_chronically_absent,
    n_days_enrolled,
    n_days_present,
    attendance_rate,
    chronic_absence_rate,
    is_suppressed,
    suppression_reason
from suppressed
