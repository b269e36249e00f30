with base as (
    select * from {{ ref('base_attendance__exceptions') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    att_student_id,
    att_school_code,
    school_id,
    attendance_date,
    _school_year,
    att_code,
    attendance_event_category,
    category_key,
    is_absent,
    is_excused,
    precedence,
    minutes,
    presence_status
from base
where _quarantine_reason is null
