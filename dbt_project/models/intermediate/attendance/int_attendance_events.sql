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

enrolled as (
    select
        linked.*,
        spans.school_year,
        calendar.is_instructional,
        row_number() over (
            partition by linked._source_file, linked._line_number order by spans.entry_date
        ) as _span_number
    from linked
    left join spans
        on linked.student_key = spans.student_key
        and linked.school_id = spans.school_id
        and linked.attendance_date between spans.entry_date and spans.exit_date
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
where _span_number = 1
