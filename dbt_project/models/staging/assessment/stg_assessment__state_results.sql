with base as (
    select * from {{ ref('base_assessment__state_results') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    school_year,
    district_code,
    state_school_code,
    state_id,
    last_name,
    first_name,
    birth_date,
    grade_level,
    grade_number,
    subject_code,
    academic_subject,
    scale_score,
    achievement_level_code,
    achievement_level,
    level_order,
    is_proficient
from base
where _quarantine_reason is null
