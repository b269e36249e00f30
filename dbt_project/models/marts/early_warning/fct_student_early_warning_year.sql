-- Grain: one row per student and school year enrolled (dim_student_school_year): the early
-- warning indicators of that year and of the year before. At the start of a school year the
-- year's own attendance and tests are not in yet; last year's chronic absence and last year's
-- state test are what a team can act on in September (start_of_year_risk_tier). A student not
-- enrolled, or not tested, the year before has no prior-year flag (NULL is "not known", false
-- "known and fine").
-- Incremental: after attendance increments only (connectors/increments.py), the rows of the
-- students the increments touch are deleted and built again (a student's rows read only their own
-- years); every other build is a full refresh.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where student_key in ({{ attendance_increment_students() }}){% endif %}",
) }}
-- depends_on: {{ ref('int_attendance_increment_students') }}
with student_years as (
    select * from {{ ref('dim_student_school_year') }}
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

state_years as (
    select
        student_key,
        school_year,
        max(case when not is_proficient then 1 else 0 end) = 1 as is_not_proficient
    from {{ ref('fct_assessment_result') }}
    where assessment = 'state' and is_tested
    {%- if is_incremental() %}
    and student_key in ({{ attendance_increment_students() }})
    {%- endif %}
    group by student_key, school_year
),

indicators as (
    select
        student_years.student_key,
        student_years.school_year,
        student_years.school_key,
        student_years.grade_level,
        attendance_years.is_chronically_absent,
        state_years.is_not_proficient
    from student_years
    left join attendance_years
        on student_years.student_key = attendance_years.student_key
        and student_years.school_year = attendance_years.school_year
    left join state_years
        on student_years.student_key = state_years.student_key
        and student_years.school_year = state_years.school_year
),

with_prior as (
    select
        indicators.*,
        prior_attendance.is_chronically_absent as prior_year_chronically_absent,
        prior_state.is_not_proficient as prior_year_not_proficient
    from indicators
    left join attendance_years as prior_attendance
        on indicators.student_key = prior_attendance.student_key
        and indicators.school_year - 1 = prior_attendance.school_year
    left join state_years as prior_state
        on indicators.student_key = prior_state.student_key
        and indicators.school_year - 1 = prior_state.school_year
),

counted as (
    select
        with_prior.*,
        case when prior_year_chronically_absent then 1 else 0 end
        + case when prior_year_not_proficient then 1 else 0 end as n_prior_year_flags
    from with_prior
)

select
    {{ surrogate_key(['student_key', 'school_year']) }} as student_early_warning_year_key,
    student_key,
    school_year,
    school_key,
    grade_level,
    is_chronically_absent,
    is_not_proficient,
    prior_year_chronically_absent,
    prior_year_not_proficient,
    n_prior_year_flags,
    case
        when n_prior_year_flags >= 2 then 'high'
        when n_prior_year_flags = 1 then 'moderate'
        else 'low'
    end as start_of_year_risk_tier
from counted
