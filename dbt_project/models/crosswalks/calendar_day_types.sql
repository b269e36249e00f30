-- SIS calendar day types → whether the day is instructional.
select
    local_code,
    calendar_event,
    cast(is_instructional as boolean) as is_instructional,
    _source_file,
    _line_number
from {{ source('crosswalks', 'calendar_day_types') }}
