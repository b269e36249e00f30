-- Grain: one row per student per school per instructional day enrolled on which the attendance
-- system sent an exception. When a student has two codes on a day, the most serious (seed
-- attendance_codes.precedence, then the earlier line) names the day. Every other enrolled day is
-- present: fct_attendance_daily adds those days as a view over this table.
with events as (
    select * from {{ ref('int_attendance_events') }}
    where _conform_reason is null
),

-- Ranked on the columns kept, not the whole event row: the window sorts what it carries.
ranked as (
    select
        student_key,
        school_id,
        school_year,
        attendance_date,
        category_key,
        attendance_event_category,
        att_code,
        is_absent,
        is_excused,
        row_number() over (
            partition by student_key, school_id, attendance_date
            order by precedence, _line_number
        ) as _rank
    from events
)

select
    student_key,
    {{ surrogate_key(["'school'", 'school_id']) }} as school_key,
    school_year,
    attendance_date as calendar_date,
    category_key as attendance_category,
    attendance_event_category,
    att_code as source_code,
    is_absent,
    is_absent and is_excused as is_excused_absence,
    is_absent and not is_excused as is_unexcused_absence
from ranked
where _rank = 1
