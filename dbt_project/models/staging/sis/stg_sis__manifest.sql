with base as (
    select * from {{ ref('base_sis__manifest') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    property_name,
    property_value
from base
where _quarantine_reason is null
