with base as (
    select * from {{ ref('base_attendance__calendar') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    att_school_code,
    school_id,
    calendar_date,
    day_type,
    calendar_event,
    is_instructional,
    membership_value,
    note
from base
where _quarantine_reason is null
