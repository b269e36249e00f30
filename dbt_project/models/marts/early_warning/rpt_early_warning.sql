-- Grain: one row per current student (enrolled on the last instructional day of the latest school
-- year at their school): the early warning flags (docs/architecture.md, Metrics: the "ABC" indicators without
-- behavior, which has no source yet), their count and a risk tier. Staff use only: names included.
-- Incremental: after attendance increments only (connectors/increments.py), the rows of the
-- students the increments touch are deleted and built again (a student's row reads only their own
-- enrollments, years and results); every other build is a full refresh.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where student_key in ({{ attendance_increment_students() }}){% endif %}",
) }}
-- depends_on: {{ ref('int_attendance_increment_students') }}
with calendar as (
    select * from {{ ref('dim_calendar') }}
),

enrollments as (
    select * from {{ ref('fct_enrollment') }}
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

attendance_years as (
    select * from {{ ref('fct_student_attendance_year') }}
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

growth as (
    select * from {{ ref('fct_student_growth') }}
    {%- if is_incremental() %}
    where student_key in ({{ attendance_increment_students() }})
    {%- endif %}
),

latest_year as (
    select max(school_year) as school_year
    from calendar
    where is_instructional
),

last_days as (
    select
        calendar.school_key,
        calendar.school_year,
        max(calendar.calendar_date) as last_instructional_day
    from calendar
    inner join latest_year on calendar.school_year = latest_year.school_year
    where calendar.is_instructional
    group by 1, 2
),

current_enrollments as (
    select
        enrollments.student_key,
        enrollments.school_key,
        enrollments.school_year,
        row_number() over (
            partition by enrollments.student_key
            order by enrollments.entry_date desc, enrollments.school_key asc
        ) as n_enrollment
    from enrollments
    inner join last_days
        on enrollments.school_key = last_days.school_key
        and enrollments.school_year = last_days.school_year
        and enrollments.entry_date <= last_days.last_instructional_day
        and (enrollments.exit_date is null or enrollments.exit_date >= last_days.last_instructional_day)
),

latest_state_results as (
    select
        student_key,
        academic_subject,
        school_year,
        is_proficient,
        row_number() over (
            partition by student_key, academic_subject
            order by school_year desc, test_date desc, assessment_result_key asc
        ) as n_from_latest
    from state_results
),

state_flags as (
    select
        student_key,
        max(school_year) as latest_state_test_year,
        sum(case when not is_proficient then 1 else 0 end) > 0 as not_proficient_latest_state_test
    from latest_state_results
    where n_from_latest = 1
    group by 1
),

latest_benchmarks as (
    select
        student_key,
        academic_subject,
        coalesce(fall_percentile, winter_percentile) as first_percentile,
        coalesce(spring_percentile, winter_percentile) as latest_percentile,
        row_number() over (
            partition by student_key, academic_subject
            order by school_year desc
        ) as n_from_latest
    from growth
),

benchmark_flags as (
    select
        student_key,
        sum(
            case
                when first_percentile - latest_percentile >= {{ var('benchmark_percentile_drop', 10) | int }} then 1
                else 0
            end
        ) > 0 as falling_benchmark_percentile
    from latest_benchmarks
    where n_from_latest = 1
    group by 1
),

-- Last year's indicators, for the start of a year when this year's are not in yet
-- (fct_student_early_warning_year); not counted in n_flags, which is this year's picture.
prior_year_flags as (
    select
        current_enrollments.student_key,
        prior_attendance.is_chronically_absent as prior_year_chronically_absent,
        max(case when prior_state.is_proficient then 0 when prior_state.student_key is not null then 1 end) = 1
            as prior_year_not_proficient
    from current_enrollments
    left join attendance_years as prior_attendance
        on current_enrollments.student_key = prior_attendance.student_key
        and current_enrollments.school_year - 1 = prior_attendance.school_year
    left join state_results as prior_state
        on current_enrollments.student_key = prior_state.student_key
        and current_enrollments.school_year - 1 = prior_state.school_year
    where current_enrollments.n_enrollment = 1
    group by current_enrollments.student_key, prior_attendance.is_chronically_absent
),

flagged as (
    select
        current_enrollments.student_key,
        current_enrollments.school_key,
        current_enrollments.school_year,
        attendance_years.absence_rate,
        state_flags.latest_state_test_year,
        coalesce(attendance_years.is_chronically_absent, false) as is_chronically_absent,
        coalesce(state_flags.not_proficient_latest_state_test, false) as not_proficient_latest_state_test,
        coalesce(benchmark_flags.falling_benchmark_percentile, false) as falling_benchmark_percentile,
        prior_year_flags.prior_year_chronically_absent,
        prior_year_flags.prior_year_not_proficient
    from current_enrollments
    left join attendance_years
        on current_enrollments.student_key = attendance_years.student_key
        and current_enrollments.school_year = attendance_years.school_year
    left join state_flags on current_enrollments.student_key = state_flags.student_key
    left join benchmark_flags on current_enrollments.student_key = benchmark_flags.student_key
    left join prior_year_flags on current_enrollments.student_key = prior_year_flags.student_key
    where current_enrollments.n_enrollment = 1
),

counted as (
    select
        student_key,
        school_key,
        school_year,
        absence_rate,
        latest_state_test_year,
        is_chronically_absent,
        not_proficient_latest_state_test,
        falling_benchmark_percentile,
        prior_year_chronically_absent,
        prior_year_not_proficient,
        case when is_chronically_absent then 1 else 0 end
        + case when not_proficient_latest_state_test then 1 else 0 end
        + case when falling_benchmark_percentile then 1 else 0 end as n_flags
    from flagged
)

select
    {{ surrogate_key(['counted.student_key', 'counted.school_year']) }} as early_warning_key,
    counted.student_key,
    students.local_id,
    students.last_name,
    students.first_name,
    students.grade_level,
    counted.school_key,
    schools.school_name,
    counted.school_year,
    counted.absence_rate,
    counted.latest_state_test_year,
    counted.is_chronically_absent,
    counted.not_proficient_latest_state_test,
    counted.falling_benchmark_percentile,
    counted.prior_year_chronically_absent,
    counted.prior_year_not_proficient,
    counted.n_flags,
    case
        when counted.n_flags >= 2 then 'high'
        when counted.n_flags = 1 then 'moderate'
        else 'low'
    end as risk_tier
from counted
inner join students on counted.student_key = students.student_key
left join schools on counted.school_key = schools.school_key
