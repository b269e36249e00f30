with base as (
    select * from {{ ref('base_assessment__map_results') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    term_name,
    season,
    term_order,
    school_year,
    school_name,
    school_id,
    local_id,
    last_name,
    first_name,
    middle_initial,
    birth_date,
    sex,
    grade_level,
    grade_number,
    subject_code,
    course,
    measure,
    class_name,
    teacher_name,
    teacher_id,
    academic_subject,
    test_date,
    rit_score,
    standard_error,
    percentile
from base
where _quarantine_reason is null
