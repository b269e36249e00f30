-- The valid score range per assessment, subject code and grade number (blank = any; the most specific row wins), from the publisher's scale, cited in `source`; a MAP RIT outside it is quarantined (state tests: the bands of achievement_levels).
select
    assessment,
    subject,
    cast(grade as integer) as grade,
    cast(min_score as integer) as min_score,
    cast(max_score as integer) as max_score,
    source,
    _source_file,
    _line_number
from {{ source('crosswalks', 'score_ranges') }}
