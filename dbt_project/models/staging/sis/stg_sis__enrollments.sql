with base as (
    select * from {{ ref('base_sis__enrollments') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    coalesce(record_status, 'active') <> 'inactive' as is_active,
    enrollment_id,
    section_id,
    school_id,
    user_id,
    enrollment_role,
    is_primary,
    begin_date,
    end_date
from base
where {{ oneroster_current() }}
