-- The district's students as the SIS knows them: the identity every other source links to.
-- student_key is derived from the SIS local ID alone, so it is stable across years and loads.
with users as (
    select * from {{ ref('stg_sis__users') }}
    where user_role = 'student'
),

demographics as (
    select * from {{ ref('stg_sis__demographics') }}
)

select
    {{ surrogate_key(["'student'", 'users.user_id']) }} as student_key,
    users.user_id as local_id,
    users.state_id,
    users.first_name,
    users.last_name,
    users.middle_name,
    demographics.birth_date,
    demographics.sex,
    demographics.race_ethnicity,
    users.grade_level,
    users.grade_number,
    users.school_id as current_school_id,
    {{ normalize_name('users.last_name') }} as last_name_norm,
    {{ normalize_name('users.first_name') }} as first_name_norm
from users
left join demographics on users.user_id = demographics.student_id
