-- The school calendar every attendance and enrollment count uses: the SIS's calendar, and for a
-- school and school year the SIS has no calendar for, the attendance system's (CALENDAR_DAY style).
-- The SIS wins where both exist: it is the system of record the enrollment spans and the state's
-- reported days come from, and mixing two calendars within one school year would count a day the
-- two disagree on twice or by two rules. A school with neither is not filled in: the blocking rule
-- "school calendar for every school with enrollments" names it to the steward.
with sis_calendar as (
    select * from {{ ref('stg_sis__calendar') }}
),

attendance_calendar as (
    select * from {{ ref('stg_attendance__calendar') }}
),

years as (
    select * from {{ ref('int_school_years') }}
    where session_type = 'schoolyear'
),

days as (
    select
        school_id,
        calendar_date,
        day_type,
        calendar_event,
        is_instructional,
        'sis' as calendar_source
    from sis_calendar

    union all

    select
        school_id,
        calendar_date,
        day_type,
        calendar_event,
        is_instructional,
        'attendance' as calendar_source
    from attendance_calendar
),

dated as (
    select
        days.*,
        years.school_year
    from days
    left join years on days.calendar_date between years.start_date and years.end_date
),

sis_school_years as (
    select distinct
        school_id,
        school_year
    from dated
    where calendar_source = 'sis'
)

select
    dated.school_id,
    dated.calendar_date,
    dated.school_year,
    dated.day_type,
    dated.calendar_event,
    dated.is_instructional,
    dated.calendar_source
from dated
left join sis_school_years
    on dated.school_id = sis_school_years.school_id
    and dated.school_year = sis_school_years.school_year
where dated.calendar_source = 'sis' or sis_school_years.school_id is null
