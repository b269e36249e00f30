-- NWEA MAP testing seasons in the order of a school year.
select
    season,
    cast(term_order as integer) as term_order,
    _source_file,
    _line_number
from {{ source('crosswalks', 'map_terms') }}
