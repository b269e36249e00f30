-- Grain: one row per student per school per instructional day enrolled on which the attendance
-- system sent an exception. When a student has two codes on a day, the most serious (crosswalk
-- attendance_codes.precedence, then the earlier line) names the day. Every other enrolled day is
-- present: fct_attendance_daily adds those days as a view over this table. An absent day is exactly
-- one of excused, unexcused or out-of-school suspension.
-- Incremental: after attendance increments only (connectors/increments.py), the days the
-- increments touch (their rows' dates and those of the rows they superseded) are deleted and
-- built again from every event of those days; every other build is a full refresh.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where calendar_date in ({{ attendance_increment_dates() }}){% endif %}",
) }}
-- depends_on: {{ ref('base_attendance__exceptions') }}
with events as (
    select * from {{ ref('int_attendance_events') }}
    where
        _conform_reason is null
        and {{ in_built_school_years('school_year') }}
        {%- if is_incremental() %}
            and attendance_date in ({{ attendance_increment_dates() }})
        {%- endif %}
),

-- Days with two or more exceptions. Only these are ranked (a window over every exception cost
-- ~0.6 s of CPU at 1.5 M rows, most days having one); every other day keeps its one row.
repeated_days as (
    select
        student_key,
        school_id,
        attendance_date
    from events
    group by 1, 2, 3
    having count(*) > 1
),

flagged as (
    select
        events.student_key,
        events.school_id,
        events.school_year,
        events.attendance_date,
        events.category_key,
        events.attendance_event_category,
        events.att_code,
        events.is_absent,
        events.is_excused,
        events.precedence,
        events._line_number,
        repeated_days.student_key is not null as _is_repeated
    from events
    left join repeated_days
        on events.student_key = repeated_days.student_key
        and events.school_id = repeated_days.school_id
        and events.attendance_date = repeated_days.attendance_date
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
    from flagged
    where _is_repeated
),

days as (
    select
        student_key,
        school_id,
        school_year,
        attendance_date,
        category_key,
        attendance_event_category,
        att_code,
        is_absent,
        is_excused
    from flagged
    where not _is_repeated
    union all
    select
        student_key,
        school_id,
        school_year,
        attendance_date,
        category_key,
        attendance_event_category,
        att_code,
        is_absent,
        is_excused
    from ranked
    where _rank = 1
),

-- The key of each school once, not an md5 per row.
schools as (
    select
        school_id,
        {{ surrogate_key(["'school'", 'school_id']) }} as school_key
    from (select distinct school_id from events) as school_ids
)

select
    days.student_key,
    schools.school_key,
    days.school_year,
    days.attendance_date as calendar_date,
    days.category_key as attendance_category,
    days.attendance_event_category,
    days.att_code as source_code,
    days.is_absent,
    -- Excused, unexcused and out-of-school suspension are three kinds of absence that add up to
    -- every absent day (a suspension is not an unexcused absence): the crosswalk's category_key
    -- says which, and the crosswalk check keeps is_absent and is_excused in agreement with it
    -- (connectors/crosswalks.py, ATTENDANCE_CATEGORY_KINDS).
    days.is_absent and days.category_key = 'excused_absence' as is_excused_absence,
    days.is_absent and days.category_key = 'unexcused_absence' as is_unexcused_absence,
    days.is_absent and days.category_key = 'out_of_school_suspension' as is_suspension_absence
from days
inner join schools on days.school_id = schools.school_id
