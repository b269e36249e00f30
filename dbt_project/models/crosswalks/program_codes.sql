-- SIS program codes → subgroup (English learner, students with disabilities, low income).
select
    local_code,
    program,
    subgroup_column,
    _source_file,
    _line_number
from {{ source('crosswalks', 'program_codes') }}
