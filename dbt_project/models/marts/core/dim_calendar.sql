with calendar as (
    select * from {{ ref('int_school_calendar') }}
)

select
    {{ surrogate_key(["'school'", 'calendar.school_id']) }} as school_key,
    calendar.calendar_date,
    calendar.school_year,
    calendar.day_type,
    calendar.calendar_event,
    calendar.is_instructional,
    case when calendar.is_instructional then
        sum(case when calendar.is_instructional then 1 else 0 end) over (
            partition by calendar.school_id, calendar.school_year
            order by calendar.calendar_date
            rows between unbounded preceding and current row
        )
    end as instructional_day_number,
    {{ dbt.date_trunc('month', 'calendar.calendar_date') }} as calendar_month,
    calendar.calendar_source
from calendar
