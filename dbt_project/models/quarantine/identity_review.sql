-- The stewards' identity work list: every source person record that is not linked, why, the
-- likeliest SIS student where there is one, and how many source rows wait on the decision.
-- A decision goes into config/crosswalks/identity_overrides.csv and wins on the next load.
with matches as (
    select * from {{ ref('int_identity_matches') }}
    where match_status <> 'matched'
),

people as (
    select * from {{ ref('int_source_people') }}
),

students as (
    select * from {{ ref('int_sis_students') }}
)

select
    matches.source_system,
    matches.source_person_id,
    matches.match_status,
    matches.review_reason,
    people.state_id as source_state_id,
    people.local_id as source_local_id,
    people.last_name as source_last_name,
    people.first_name as source_first_name,
    people.birth_date as source_birth_date,
    students.local_id as candidate_local_id,
    students.last_name as candidate_last_name,
    students.first_name as candidate_first_name,
    students.birth_date as candidate_birth_date
from matches
inner join people
    on matches.source_system = people.source_system
    and matches.source_person_id = people.source_person_id
left join students on matches.candidate_student_key = students.student_key
