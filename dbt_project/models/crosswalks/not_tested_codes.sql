-- Participation codes per assessment (NotTestedCode, or a code in the level column): is_tested false = not tested for `reason` (kept, counted as not tested, not a failure).
select
    assessment,
    local_code,
    cast(is_tested as boolean) as is_tested,
    reason,
    _source_file,
    _line_number
from {{ source('crosswalks', 'not_tested_codes') }}
