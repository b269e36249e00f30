-- Attendance exceptions linked to a student and checked against enrollment. A row whose student
-- is not linked, or whose date is not an instructional day the student was enrolled at that
-- school, keeps a conform reason and goes to quarantine instead of the fact.
with exceptions as (
    select * from {{ ref('stg_attendance__exceptions') }}
),

identities as (
    select * from {{ ref('int_identity_matches') }}
    where source_system = 'attendance'
),

spans as (
    select * from {{ ref('int_enrollment_spans') }}
),

calendar as (
    select * from {{ ref('stg_sis__calendar') }}
),

linked as (
    select
        exceptions.*,
        identities.student_key,
        identities.match_status,
        identities.review_reason
    from exceptions
    left join identities on exceptions.att_student_id = identities.source_person_id
),

-- The enrollment span of each linked row (the earliest-starting one if spans overlap), found on
-- the row's lineage key alone: ranking the whole wide row cost seconds at 1.5 M exceptions.
span_of_row as (
    select
        _source_file,
        _line_number,
        school_year
    from (
        select
            linked._source_file,
            linked._line_number,
            spans.school_year,
            row_number() over (
                partition by linked._source_file, linked._line_number order by spans.entry_date
            ) as _span_number
        from linked
        inner join spans
            on linked.student_key = spans.student_key
            and linked.school_id = spans.school_id
            and linked.attendance_date between spans.entry_date and spans.exit_date
    ) as ranked
    where _span_number = 1
),

enrolled as (
    select
        linked.*,
        span_of_row.school_year,
        calendar.is_instructional
    from linked
    left join span_of_row
        on linked._source_file = span_of_row._source_file
        and linked._line_number = span_of_row._line_number
    left join calendar
        on linked.school_id = calendar.school_id
        and linked.attendance_date = calendar.calendar_date
)

select
    *,
    case
        when student_key is null then 'student not linked (' || coalesce(review_reason, match_status, 'not in the attendance student list') || ')'
        when school_year is null then 'student not enrolled at that school on that date'
        when not coalesce(is_instructional, false) then 'date is not an instructional day'
    end as _conform_reason
from enrolled
