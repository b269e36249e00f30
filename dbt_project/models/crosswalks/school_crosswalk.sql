-- A source system's school code or name (attendance, state_assessment, map) → the SIS school's sourcedId, confirmed by a steward; values without a row are matched to one SIS school by name or code when exactly one fits (audit.school_crosswalk_report).
select
    source_system,
    vendor_school,
    school_sourced_id,
    _source_file,
    _line_number
from {{ source('crosswalks', 'school_crosswalk') }}
