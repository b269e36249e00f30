-- Attendance system code → Ed-Fi attendance event category; precedence picks the day's category when a student has two codes on one day (1 wins).
select
    local_code,
    local_description,
    attendance_event_category,
    category_key,
    cast(is_absent as boolean) as is_absent,
    cast(is_excused as boolean) as is_excused,
    cast(precedence as integer) as precedence,
    _source_file,
    _line_number
from {{ source('crosswalks', 'attendance_codes') }}
