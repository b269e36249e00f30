with base as (
    select * from {{ ref('base_sis__roles') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    coalesce(record_status, 'active') <> 'inactive' as is_active,
    role_id,
    user_id,
    role_type,
    user_role,
    org_id,
    begin_date,
    end_date
from base
where {{ oneroster_current() }}
