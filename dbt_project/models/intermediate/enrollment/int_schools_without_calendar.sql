-- Schools with students enrolled in the current school year but no instructional day in the
-- school calendar (neither the SIS's nor the attendance system's) for that year: without a
-- calendar their attendance would silently be empty. The blocking rule
-- "school_calendar_missing" fails on any row and names the school to the SIS steward.
-- Grain: one row per school; no student data (a count of spans only).
with spans as (
    select * from {{ ref('int_enrollment_spans') }}
),

calendar as (
    select * from {{ ref('int_school_calendar') }}
),

orgs as (
    select * from {{ ref('stg_sis__orgs') }}
),

current_year as (
    select max(school_year) as school_year
    from {{ ref('int_school_years') }}
    where session_type = 'schoolyear'
),

enrolled as (
    select
        spans.school_id,
        spans.school_year,
        count(*) as n_enrollment_spans
    from spans
    inner join current_year on spans.school_year = current_year.school_year
    group by 1, 2
),

instructional as (
    select distinct
        school_id,
        school_year
    from calendar
    where is_instructional
)

select
    enrolled.school_id,
    orgs.org_name as school_name,
    enrolled.school_year,
    enrolled.n_enrollment_spans
from enrolled
left join instructional
    on enrolled.school_id = instructional.school_id
    and enrolled.school_year = instructional.school_year
left join orgs on enrolled.school_id = orgs.org_id
where instructional.school_id is null
