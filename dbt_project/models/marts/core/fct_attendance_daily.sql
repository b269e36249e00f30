{{ config(materialized='view') }}
-- Grain: one row per student per instructional day enrolled, per school. Exceptions only come
-- from the attendance system (fct_attendance_exception_day); a day without one is present.
-- A view: the present days follow from enrollment × calendar, so they are derived when read
-- rather than stored. At 100,000 students that is 16 M of 17.6 M rows, which cost more to write,
-- test and copy to the served file every night than to derive in the queries that read them
-- (the attendance marts count the same days from the same tables: fct_student_attendance_month).
with enrollment as (
    select * from {{ ref('fct_enrollment') }}
),

school_days as (
    select * from {{ ref('dim_calendar') }}
    where is_instructional
),

exceptions as (
    select * from {{ ref('fct_attendance_exception_day') }}
)

select
    enrollment.student_key,
    enrollment.school_key,
    enrollment.school_year,
    school_days.calendar_date,
    coalesce(exceptions.attendance_category, 'present') as attendance_category,
    coalesce(exceptions.attendance_event_category, 'In Attendance') as attendance_event_category,
    exceptions.source_code,
    coalesce(exceptions.is_absent, false) as is_absent,
    not coalesce(exceptions.is_absent, false) as is_present,
    coalesce(exceptions.is_excused_absence, false) as is_excused_absence,
    coalesce(exceptions.is_unexcused_absence, false) as is_unexcused_absence,
    coalesce(exceptions.is_suspension_absence, false) as is_suspension_absence
from enrollment
inner join school_days
    on enrollment.school_key = school_days.school_key
    and school_days.calendar_date between enrollment.entry_date and enrollment.exit_date
left join exceptions
    on enrollment.student_key = exceptions.student_key
    and enrollment.school_key = exceptions.school_key
    and school_days.calendar_date = exceptions.calendar_date
