with base as (
    select * from {{ ref('base_sis__orgs') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    coalesce(record_status, 'active') <> 'inactive' as is_active,
    org_id,
    org_name,
    org_type,
    state_org_code,
    parent_org_id
from base
where {{ oneroster_current() }}
