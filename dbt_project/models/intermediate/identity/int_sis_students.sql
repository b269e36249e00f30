-- The district's students as the SIS knows them: the identity every other source links to.
-- student_key is derived from the SIS sourcedId alone, so it is stable across years and loads;
-- local_id and state_id are the fields the district's settings name (settings/sis.py), the IDs
-- other sources carry. A disabled or inactive student (left the district) stays, not current.
with users as (
    select * from {{ ref('stg_sis__users') }}
    where user_role = 'student'
),

demographics as (
    select * from {{ ref('stg_sis__demographics') }}
),

grades as (
    select * from {{ ref('int_sis_student_grades') }}
),

org_schools as (
    select * from {{ ref('int_sis_org_schools') }}
)

select
    {{ surrogate_key(["'student'", 'users.user_id']) }} as student_key,
    users.user_id,
    users.local_id,
    users.state_id,
    users.is_active,
    users.first_name,
    users.last_name,
    users.middle_name,
    upper(left(users.middle_name, 1)) as middle_initial,
    demographics.birth_date,
    demographics.sex,
    demographics.race_ethnicity,
    grades.grade_level,
    grades.grade_number,
    grades.grade_source,
    org_schools.school_id as current_school_id,
    {{ normalize_name('users.last_name') }} as last_name_norm,
    {{ normalize_name('users.first_name') }} as first_name_norm
from users
left join demographics on users.user_id = demographics.student_id
left join grades on users.user_id = grades.user_id
left join org_schools on users.school_id = org_schools.org_id
