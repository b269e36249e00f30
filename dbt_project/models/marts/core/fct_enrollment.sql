-- Grain: one row per student per school enrollment span (a transfer makes two rows).
with spans as (
    select * from {{ ref('int_enrollment_spans') }}
),

membership as (
    select
        student_key,
        school_id,
        school_year,
        calendar_date
    from {{ ref('int_membership_days') }}
)

select
    {{ surrogate_key(['spans.student_key', 'spans.school_id', 'spans.entry_date']) }} as enrollment_key,
    spans.student_key,
    {{ surrogate_key(["'school'", 'spans.school_id']) }} as school_key,
    spans.school_year,
    spans.entry_date,
    spans.exit_date,
    count(membership.calendar_date) as instructional_days_enrolled
from spans
left join membership
    on spans.student_key = membership.student_key
    and spans.school_id = membership.school_id
    and membership.calendar_date between spans.entry_date and spans.exit_date
group by 1, 2, 3, 4, 5, 6
