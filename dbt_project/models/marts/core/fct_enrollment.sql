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

days_per_span as (
    select
        spans.student_key,
        spans.school_id,
        spans.entry_date,
        count(instructional_days.calendar_date) as instructional_days_enrolled
    from spans
    left join instructional_days
        on spans.school_id = instructional_days.school_id
        and instructional_days.calendar_date between spans.entry_date and spans.exit_date
    group by 1, 2, 3
)

select
    {{ surrogate_key(['spans.student_key', 'spans.school_id', 'spans.entry_date']) }} as enrollment_key,
    spans.student_key,
    spans.school_key,
    spans.school_year,
    spans.entry_date,
    spans.exit_date,
    days_per_span.instructional_days_enrolled
from spans
inner join days_per_span
    on spans.student_key = days_per_span.student_key
    and spans.school_id = days_per_span.school_id
    and spans.entry_date = days_per_span.entry_date
