-- Grain: one row per student per test event and measure: a state test subject, a MAP RIT scale in a
-- term, a benchmark measure in a window (i-Ready, Star, DIBELS 8, WIDA ACCESS: every benchmark
-- layout feeds this one fact through stg_assessment__benchmark_results).
with results as (
    select * from {{ ref('int_assessment_results_linked') }}
    where _conform_reason is null
)

select
    -- A wide file's line (MCAS: ELA and Math in columns; a benchmark's domains) holds one result
    -- per subject and measure. The delivery is named by its bytes, not its load's time: the same
    -- files loaded again give the same keys (marts' tie-breaks order by this key).
    {{ surrogate_key([
        '_source_file', '_line_number', delivery_hash('_load_id'),
        'academic_subject', 'season', 'measure',
    ]) }} as assessment_result_key,
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
    _line_number as line_number,
    assessment_name,
    measure,
    score_scale,
    school_code,
    school_name
from results
