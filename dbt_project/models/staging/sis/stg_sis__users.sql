with base as (
    select * from {{ ref('base_sis__users') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    user_id,
    user_role,
    first_name,
    last_name,
    middle_name,
    state_id,
    email,
    school_id,
    grade_code,
    grade_level,
    grade_number
from base
where _quarantine_reason is null
