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
    school_id,
    state_id,
    last_name,
    first_name,
    birth_date,
    grade_level,
    grade_number,
    subject_code,
    academic_subject,
    is_tested,
    not_tested_reason,
    -- A student not tested has no score or level (a code in those columns is the reason).
    case when is_tested then scale_score end as scale_score,
    case when is_tested then achievement_level_code end as achievement_level_code,
    case when is_tested then achievement_level end as achievement_level,
    case when is_tested then level_order end as level_order,
    case when is_tested then is_proficient end as is_proficient,
    case when is_tested then min_scale_score end as min_scale_score,
    case when is_tested then max_scale_score end as max_scale_score
from base
where _quarantine_reason is null
