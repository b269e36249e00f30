with base as (
    select * from {{ ref('base_sis__calendar') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    school_id,
    calendar_date,
    day_type,
    calendar_event,
    is_instructional
from base
where _quarantine_reason is null
