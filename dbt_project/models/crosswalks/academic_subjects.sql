-- Each source's subject names → one academic subject.
select
    source,
    local_code,
    academic_subject,
    _source_file,
    _line_number
from {{ source('crosswalks', 'academic_subjects') }}
