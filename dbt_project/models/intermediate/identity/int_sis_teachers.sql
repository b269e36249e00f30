-- The district's teachers as the SIS knows them. teacher_key comes from the SIS staff ID; the
-- state educator ID and a normalized email are kept as the keys other sources link by.
with users as (
    select * from {{ ref('stg_sis__users') }}
    where user_role = 'teacher'
)

select
    {{ surrogate_key(["'teacher'", 'user_id']) }} as teacher_key,
    user_id as staff_id,
    state_id as state_educator_id,
    lower(trim(email)) as email,
    first_name,
    last_name,
    school_id
from users
