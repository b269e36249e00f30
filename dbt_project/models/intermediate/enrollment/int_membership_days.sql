{{ config(materialized='ephemeral') }}
-- One row per student per instructional day they were enrolled, per school: the days that count
-- as "enrolled" for attendance rates and chronic absence (DESIGN.md, Metrics).
with spans as (
    select * from {{ ref('int_enrollment_spans') }}
),

calendar as (
    select * from {{ ref('stg_sis__calendar') }}
    where is_instructional
)

select
    spans.student_key,
    spans.school_id,
    spans.school_key,
    spans.school_year,
    calendar.calendar_date
from spans
inner join calendar
    on spans.school_id = calendar.school_id
    and calendar.calendar_date between spans.entry_date and spans.exit_date
