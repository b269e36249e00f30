with base as (
    select * from {{ ref('base_assessment__benchmark_results') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    assessment_name,
    school_year,
    window_name,
    season,
    term_order,
    test_date,
    district_name,
    school_code,
    school_name,
    school_id,
    local_id,
    state_id,
    last_name,
    first_name,
    birth_date,
    grade_level,
    grade_number,
    subject_code,
    academic_subject,
    measure,
    scale_score,
    percentile,
    performance_level,
    is_proficient,
    not_tested_code
from base
where _quarantine_reason is null
