with base as (
    select * from {{ ref('base_sis__classes') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    coalesce(record_status, 'active') <> 'inactive' as is_active,
    section_id,
    section_title,
    grade_codes,
    course_id,
    class_code,
    class_type,
    location,
    school_id,
    term_ids,
    subjects,
    periods
from base
where {{ oneroster_current() }}
