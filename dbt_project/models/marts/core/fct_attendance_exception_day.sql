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
),

-- The key of each school once, not an md5 per row.
schools as (
    select
        school_id,
        {{ surrogate_key(["'school'", 'school_id']) }} as school_key
    from (select distinct school_id from events) as school_ids
)

select
    ranked.student_key,
    schools.school_key,
    ranked.school_year,
    ranked.attendance_date as calendar_date,
    ranked.category_key as attendance_category,
    ranked.attendance_event_category,
    ranked.att_code as source_code,
    ranked.is_absent,
    ranked.is_absent and ranked.is_excused as is_excused_absence,
    ranked.is_absent and not ranked.is_excused as is_unexcused_absence
from ranked
inner join schools on ranked.school_id = schools.school_id
where ranked._rank = 1
