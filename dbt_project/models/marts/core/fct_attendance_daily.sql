-- Grain: one row per student per instructional day enrolled, per school. Exceptions only come
-- from the attendance system; a day without one is present. When a student has two codes on a
-- day, the most serious (seed attendance_codes.precedence) names the day.
with membership as (
    select * from {{ ref('int_membership_days') }}
),

events as (
    select * from {{ ref('int_attendance_events') }}
    where _conform_reason is null
),

day_events as (
    select *
    from (
        select
            events.*,
            row_number() over (
                partition by student_key, school_id, attendance_date
                order by precedence, _line_number
            ) as _rank
        from events
    ) as ranked
    where _rank = 1
)

select
    membership.student_key,
    membership.school_key,
    membership.school_year,
    membership.calendar_date,
    coalesce(day_events.category_key, 'present') as attendance_category,
    coalesce(day_events.attendance_event_category, 'In Attendance') as attendance_event_category,
    day_events.att_code as source_code,
    coalesce(day_events.is_absent, false) as is_absent,
    not coalesce(day_events.is_absent, false) as is_present,
    coalesce(day_events.is_absent and day_events.is_excused, false) as is_excused_absence,
    coalesce(day_events.is_absent and not day_events.is_excused, false) as is_unexcused_absence
from membership
left join day_events
    on membership.student_key = day_events.student_key
    and membership.school_id = day_events.school_id
    and membership.calendar_date = day_events.attendance_date
