with base as (
    select * from {{ ref('base_attendance__students') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    att_student_id,
    last_name,
    first_name,
    middle_initial,
    birth_date,
    sex,
    grade_level,
    grade_number,
    att_school_code,
    school_id,
    sis_local_id,
    state_id
from base
where _quarantine_reason is null
