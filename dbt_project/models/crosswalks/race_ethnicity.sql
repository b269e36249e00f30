-- OneRoster race/ethnicity flags → federal reporting categories.
select
    oneroster_flag,
    race_ethnicity,
    cast(report_order as integer) as report_order,
    _source_file,
    _line_number
from {{ source('crosswalks', 'race_ethnicity') }}
