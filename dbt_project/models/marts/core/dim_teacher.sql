with teachers as (
    select * from {{ ref('int_sis_teachers') }}
)

select
    teacher_key,
    staff_id,
    state_educator_id,
    first_name,
    last_name,
    email,
    {{ surrogate_key(["'school'", 'school_id']) }} as school_key
from teachers
