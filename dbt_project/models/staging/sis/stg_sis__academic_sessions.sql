with base as (
    select * from {{ ref('base_sis__academic_sessions') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    coalesce(record_status, 'active') <> 'inactive' as is_active,
    session_id,
    session_title,
    session_type,
    start_date,
    end_date,
    parent_session_id,
    school_year
from base
where {{ oneroster_current() }}
