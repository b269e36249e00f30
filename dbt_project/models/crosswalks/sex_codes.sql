-- Each source's sex/gender codes → one value.
select
    source,
    local_code,
    sex,
    _source_file,
    _line_number
from {{ source('crosswalks', 'sex_codes') }}
