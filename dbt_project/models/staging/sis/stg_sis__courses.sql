with base as (
    select * from {{ ref('base_sis__courses') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    coalesce(record_status, 'active') <> 'inactive' as is_active,
    course_id,
    school_year_session_id,
    course_title,
    course_code,
    grade_codes,
    org_id,
    subjects
from base
where {{ oneroster_current() }}
