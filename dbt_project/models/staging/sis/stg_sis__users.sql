with base as (
    select * from {{ ref('base_sis__users') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    coalesce(record_status, 'active') <> 'inactive' and not coalesce(_disabled, false) as is_active,
    user_id,
    user_role,
    local_id,
    state_id,
    identifier,
    username,
    user_ids,
    first_name,
    last_name,
    middle_name,
    email,
    school_id,
    grade_code,
    grade_level,
    grade_number
from base
where {{ oneroster_current() }}
