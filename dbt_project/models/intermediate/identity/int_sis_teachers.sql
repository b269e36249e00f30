-- The district's teachers as the SIS knows them. teacher_key comes from the SIS sourcedId; the
-- staff number and state educator ID are the fields the district's ID settings name
-- (settings/sis.py), kept with a normalized email as the keys other sources link by. A teacher
-- attached to a department belongs to its school.
with users as (
    select * from {{ ref('stg_sis__users') }}
    where user_role = 'teacher'
),

org_schools as (
    select * from {{ ref('int_sis_org_schools') }}
)

select
    {{ surrogate_key(["'teacher'", 'users.user_id']) }} as teacher_key,
    users.user_id,
    coalesce(users.local_id, users.user_id) as staff_id,
    users.state_id as state_educator_id,
    users.is_active,
    lower(trim(users.email)) as email,
    users.first_name,
    users.last_name,
    org_schools.school_id
from users
left join org_schools on users.school_id = org_schools.org_id
