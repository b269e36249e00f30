with base as (
    select * from {{ ref('base_sis__courses') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    course_id,
    school_year_session_id,
    course_title,
    course_code,
    grade_codes,
    org_id,
    subjects
from base
where _quarantine_reason is null
