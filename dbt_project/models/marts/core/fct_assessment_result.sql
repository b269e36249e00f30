-- Grain: one row per student per test event: a state test subject, or a MAP subject in a term.
with results as (
    select * from {{ ref('int_assessment_results_linked') }}
    where _conform_reason is null
)

select
    {{ surrogate_key(['_source_file', '_line_number', '_load_id']) }} as assessment_result_key,
    assessment,
    student_key,
    case when school_id is not null then {{ surrogate_key(["'school'", 'school_id']) }} end as school_key,
    school_year,
    academic_subject,
    grade_level,
    grade_number,
    season,
    term_order,
    test_date,
    is_tested,
    not_tested_reason,
    scale_score,
    achievement_level,
    level_order,
    is_proficient,
    percentile,
    standard_error,
    _source_file as source_file,
    _line_number as line_number
from results
