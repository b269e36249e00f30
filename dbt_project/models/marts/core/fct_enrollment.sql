-- Grain: one row per student per school enrollment span (a transfer makes two rows).
with spans as (
    select * from {{ ref('int_enrollment_spans') }}
    where {{ in_built_school_years('school_year') }}
),

instructional_days as (
    select school_id, calendar_date
    from {{ ref('int_school_calendar') }}
    where is_instructional
),

-- A span's instructional days, counted without a row per enrolled day (52.9 M rows for three
-- years of 100,000 students): its entry and exit dates stand among its school's instructional
-- days in date order, and a running count of those days gives the number before the entry
-- (a day on the entry date counts in the span) and up to the exit (the exit date counts too).
boundaries as (
    select student_key, school_id, entry_date, entry_date as event_date, 0 as event_order
    from spans
    union all
    select student_key, school_id, entry_date, exit_date as event_date, 2 as event_order
    from spans
    union all
    select
        null as student_key,
        school_id,
        null as entry_date,
        calendar_date as event_date,
        1 as event_order
    from instructional_days
),

counted as (
    select
        student_key,
        school_id,
        entry_date,
        event_order,
        count(case when event_order = 1 then 1 end) over (
            partition by school_id
            order by event_date, event_order
            rows between unbounded preceding and current row
        ) as days_through
    from boundaries
),

days_per_span as (
    select
        student_key,
        school_id,
        entry_date,
        max(case when event_order = 2 then days_through end)
        - max(case when event_order = 0 then days_through end) as days_between
    from counted
    where event_order <> 1
    group by 1, 2, 3
)

select
    {{ surrogate_key(['spans.student_key', 'spans.school_id', 'spans.entry_date']) }} as enrollment_key,
    spans.student_key,
    spans.school_key,
    spans.school_year,
    spans.entry_date,
    spans.exit_date,
    -- A span without an exit date, or ending before it begins, has no day.
    case
        when spans.exit_date >= spans.entry_date then days_per_span.days_between else 0
    end as instructional_days_enrolled
from spans
inner join days_per_span
    on spans.student_key = days_per_span.student_key
    and spans.school_id = days_per_span.school_id
    and spans.entry_date = days_per_span.entry_date
