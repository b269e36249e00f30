-- Each source's grade codes → Ed-Fi grade level descriptor and a number (K = 0).
select
    source,
    local_code,
    grade_level,
    cast(grade_number as integer) as grade_number,
    _source_file,
    _line_number
from {{ source('crosswalks', 'grade_levels') }}
