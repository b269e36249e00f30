with users as (
    select * from {{ ref('stg_sis__users') }}
    where user_role = 'teacher'
)

select
    {{ surrogate_key(["'teacher'", 'user_id']) }} as teacher_key,
    user_id as staff_id,
    state_id as state_educator_id,
    first_name,
    last_name,
    email,
    {{ surrogate_key(["'school'", 'school_id']) }} as school_key
from users
