with base as (
    select * from {{ ref('base_sis__programs') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    student_id,
    program_code,
    program,
    subgroup_column,
    is_participating,
    begin_date,
    end_date
from base
where _quarantine_reason is null
