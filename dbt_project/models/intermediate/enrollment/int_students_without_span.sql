-- Current SIS students (active, with a school) who have no enrollment span in any school year:
-- their attendance would be quarantined as "not enrolled" and they would count in no rate. The
-- blocking rule "students_without_enrollment_span" fails on any row and names the school to the
-- SIS steward. A student whose spans all lie in earlier school years of a multi-year export is a
-- former student, not one without a span. Grain: one row per school; no student data (a count).
with students as (
    select * from {{ ref('int_sis_students') }}
    where is_active and current_school_id is not null
),

spans as (
    select distinct student_key from {{ ref('int_enrollment_spans') }}
),

orgs as (
    select * from {{ ref('stg_sis__orgs') }}
)

select
    students.current_school_id as school_id,
    orgs.org_name as school_name,
    count(*) as n_students
from students
left join spans on students.student_key = spans.student_key
left join orgs on students.current_school_id = orgs.org_id
where spans.student_key is null
group by students.current_school_id, orgs.org_name
