-- Performance levels per assessment, subject code and grade number (blank = any; the most specific row wins) with their scale-score band and whether they are proficient.
select
    assessment,
    subject,
    cast(grade as integer) as grade,
    local_code,
    achievement_level,
    cast(level_order as integer) as level_order,
    cast(is_proficient as boolean) as is_proficient,
    cast(min_scale_score as integer) as min_scale_score,
    cast(max_scale_score as integer) as max_scale_score,
    _source_file,
    _line_number
from {{ source('crosswalks', 'achievement_levels') }}
