-- Grain: one row per student per school per school year per calendar month: that school's
-- enrolled days of the month. Counts exactly what grouping fct_attendance_daily by month would
-- (the same enrolled instructional days, the same exception days), without joining the
-- exceptions to 17.6 M derived days first: enrolled days are counted per span and month, absences
-- from the 1.5 M exception days, and the two meet per student-month. The school-year rows and the
-- monthly aggregates add these rows up.
-- Incremental: after attendance increments only (connectors/increments.py), the months the
-- increments touch (their rows' dates and those of the rows they superseded) are deleted and
-- built again: only absences changed, and a month's rows read only that month's days. Every
-- other build is a full refresh.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where calendar_month in ({{ attendance_increment_months() }}){% endif %}",
) }}
-- depends_on: {{ ref('base_attendance__exceptions') }}
with enrollment as (
    select * from {{ ref('fct_enrollment') }}
    where {{ in_built_school_years('school_year') }}
),

school_days as (
    select
        school_key,
        calendar_date,
        cast(calendar_month as date) as calendar_month
    from {{ ref('dim_calendar') }}
    where is_instructional
),

exceptions as (
    select * from {{ ref('fct_attendance_exception_day') }}
    where {{ in_built_school_years('school_year') }}
    {%- if is_incremental() %}
        and cast({{ dbt.date_trunc('month', 'calendar_date') }} as date) in ({{ attendance_increment_months() }})
    {%- endif %}
),

unlinked_students as (
    select * from {{ ref('int_attendance_unlinked_students') }}
),

school_months as (
    select
        school_key,
        calendar_month,
        min(calendar_date) as first_day,
        max(calendar_date) as last_day,
        count(*) as n_days
    from school_days
    {%- if is_incremental() %}
    where calendar_month in ({{ attendance_increment_months() }})
    {%- endif %}
    group by 1, 2
),

-- Each span meets the school months it overlaps. Most spans cover a month whole: its days are
-- the month's, counted once per school. Only a month the span enters or leaves part-way is
-- counted day by day, so the join makes ~0.1 M rows instead of 17.6 M.
span_months as (
    select
        enrollment.student_key,
        enrollment.school_key,
        enrollment.school_year,
        enrollment.entry_date,
        enrollment.exit_date,
        school_months.calendar_month,
        school_months.first_day,
        school_months.last_day,
        school_months.n_days,
        enrollment.entry_date <= school_months.first_day
            and enrollment.exit_date >= school_months.last_day as is_whole_month
    from enrollment
    inner join school_months
        on enrollment.school_key = school_months.school_key
        and school_months.first_day <= enrollment.exit_date
        and school_months.last_day >= enrollment.entry_date
),

span_month_days as (
    select
        student_key,
        school_key,
        school_year,
        calendar_month,
        first_day as first_day_enrolled,
        last_day as last_day_enrolled,
        n_days as n_days_enrolled
    from span_months
    where is_whole_month
    union all
    select
        span_months.student_key,
        span_months.school_key,
        span_months.school_year,
        span_months.calendar_month,
        min(school_days.calendar_date) as first_day_enrolled,
        max(school_days.calendar_date) as last_day_enrolled,
        count(*) as n_days_enrolled
    from span_months
    inner join school_days
        on span_months.school_key = school_days.school_key
        and span_months.calendar_month = school_days.calendar_month
        and school_days.calendar_date between span_months.entry_date and span_months.exit_date
    where not span_months.is_whole_month
    group by 1, 2, 3, 4, span_months.entry_date
),

-- A student back at the same school within a month has one row for both spans.
enrolled as (
    select
        student_key,
        school_key,
        school_year,
        calendar_month,
        min(first_day_enrolled) as first_day_enrolled,
        max(last_day_enrolled) as last_day_enrolled,
        cast(sum(n_days_enrolled) as {{ dbt.type_bigint() }}) as n_days_enrolled
    from span_month_days
    group by 1, 2, 3, 4
),

absences as (
    select
        student_key,
        school_key,
        school_year,
        cast({{ dbt.date_trunc('month', 'calendar_date') }} as date) as calendar_month,
        sum(case when is_absent then 1 else 0 end) as n_days_absent,
        sum(case when is_excused_absence then 1 else 0 end) as n_days_absent_excused,
        sum(case when is_unexcused_absence then 1 else 0 end) as n_days_absent_unexcused,
        sum(case when is_suspension_absence then 1 else 0 end) as n_days_out_of_school_suspension
    from exceptions
    group by 1, 2, 3, 4
)

-- A student no attendance record is linked to (int_attendance_unlinked_students) keeps their
-- enrolled days, but their days present and absent are unknown (NULL), never 0 absences.
select
    {{ surrogate_key(['enrolled.student_key', 'enrolled.school_key', 'enrolled.school_year', 'enrolled.calendar_month']) }} as student_attendance_month_key,
    enrolled.student_key,
    enrolled.school_key,
    enrolled.school_year,
    enrolled.calendar_month,
    enrolled.first_day_enrolled,
    enrolled.last_day_enrolled,
    enrolled.n_days_enrolled,
    unlinked_students.student_key is not null as is_attendance_incomplete,
    case when unlinked_students.student_key is null then enrolled.n_days_enrolled - coalesce(absences.n_days_absent, 0) end as n_days_present,
    case when unlinked_students.student_key is null then coalesce(absences.n_days_absent, 0) end as n_days_absent,
    case when unlinked_students.student_key is null then coalesce(absences.n_days_absent_excused, 0) end as n_days_absent_excused,
    case when unlinked_students.student_key is null then coalesce(absences.n_days_absent_unexcused, 0) end as n_days_absent_unexcused,
    case when unlinked_students.student_key is null then coalesce(absences.n_days_out_of_school_suspension, 0) end as n_days_out_of_school_suspension
from enrolled
left join absences
    on enrolled.student_key = absences.student_key
    and enrolled.school_key = absences.school_key
    and enrolled.school_year = absences.school_year
    and enrolled.calendar_month = absences.calendar_month
left join unlinked_students on enrolled.student_key = unlinked_students.student_key
