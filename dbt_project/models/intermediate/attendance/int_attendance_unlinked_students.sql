-- SIS students whose attendance cannot be known: no attendance-system record is linked to them.
-- The attendance system exports exceptions only, so a student with no linked record shows no
-- absence, and every day would count as present (issue: a student with 65 true absences showed
-- 0 while their record waited in quarantine.identity_review). Their record is held in identity
-- review (a probable match, an ID that belongs to another child, a name two children share),
-- quarantined from the attendance student list, or missing from it: which of the unlinked
-- records is theirs is what the steward decides, so the whole student is "attendance
-- incomplete", not some of their days. The attendance marts leave them out of every rate and
-- count them per school; quarantine.attendance_incomplete lists them for the steward.
with students as (
    select distinct student_key from {{ ref('int_sis_students') }}
),

linked as (
    select distinct student_key
    from {{ ref('int_identity_matches') }}
    where source_system = 'attendance' and student_key is not null
),

-- Attendance-system records no rule or steward has linked yet: the records awaiting review.
unlinked_records as (
    select count(*) as n_records
    from {{ ref('int_identity_matches') }}
    where source_system = 'attendance' and student_key is null
)

select
    students.student_key,
    case
        when unlinked_records.n_records > 0
            then 'no linked attendance record: one of the attendance records awaiting identity review, or missing from the attendance student list'
        else 'no linked attendance record: missing from the attendance student list'
    end as incomplete_reason
from students
cross join unlinked_records
left join linked on students.student_key = linked.student_key
where linked.student_key is null
