-- Stewards' identity decisions; they win over every rule: `link` ties the source person record to `student_sourced_id`, `no_match` keeps it unmatched.
select
    source,
    source_person_id,
    student_sourced_id,
    decision,
    decided_by,
    decided_on,
    note,
    _source_file,
    _line_number
from {{ source('crosswalks', 'identity_overrides') }}
