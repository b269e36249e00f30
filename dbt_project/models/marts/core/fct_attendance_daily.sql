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
),

-- Students no attendance record is linked to: their days are neither present nor absent but
-- unknown ('attendance_incomplete', NULL flags), as the attendance marts count them. Read from
-- the student-year mart, not the intermediate model: this view is served alone with the marts.
unlinked_students as (
    select
        student_key,
        school_year
    from {{ ref('fct_student_attendance_year') }}
    where is_attendance_incomplete
)

select
    enrollment.student_key,
    enrollment.school_key,
    enrollment.school_year,
    school_days.calendar_date,
    case
        when unlinked_students.student_key is not null then 'attendance_incomplete'
        else coalesce(exceptions.attendance_category, 'present')
    end as attendance_category,
    case
        when unlinked_students.student_key is null then coalesce(exceptions.attendance_event_category, 'In Attendance')
    end as attendance_event_category,
    exceptions.source_code,
    case when unlinked_students.student_key is null then coalesce(exceptions.is_absent, false) end as is_absent,
    case when unlinked_students.student_key is null then not coalesce(exceptions.is_absent, false) end as is_present,
    case when unlinked_students.student_key is null then coalesce(exceptions.is_excused_absence, false) end as is_excused_absence,
    case when unlinked_students.student_key is null then coalesce(exceptions.is_unexcused_absence, false) end as is_unexcused_absence,
    case when unlinked_students.student_key is null then coalesce(exceptions.is_suspension_absence, false) end as is_suspension_absence
from enrollment
inner join school_days
    on enrollment.school_key = school_days.school_key
    and school_days.calendar_date between enrollment.entry_date and enrollment.exit_date
left join exceptions
    on enrollment.student_key = exceptions.student_key
    and enrollment.school_key = exceptions.school_key
    and school_days.calendar_date = exceptions.calendar_date
left join unlinked_students
    on enrollment.student_key = unlinked_students.student_key
    and enrollment.school_year = unlinked_students.school_year
