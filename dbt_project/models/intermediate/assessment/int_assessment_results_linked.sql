-- Every assessment result in one shape — the state test, NWEA MAP and each benchmark layout
-- (i-Ready, Star, DIBELS 8, WIDA ACCESS) — linked to a student and the school it was taken at
-- where identity allows: a new vendor is a layout feeding one of the staged tables, never a new
-- mart. `measure` says what the score measures within the assessment (MAP's RIT scale: Reading
-- and Language Usage are two; 'Overall' is a benchmark's headline score) and `score_scale` which
-- scale the score is on, so scores on different scales are never compared.
{{ config(
    pre_hook="{{ delete_replaced_loads('(select _load_id from ' ~ ref('stg_assessment__state_results') ~ ' union all select _load_id from ' ~ ref('stg_assessment__map_results') ~ ' union all select _load_id from ' ~ ref('stg_assessment__benchmark_results') ~ ')') }}",
) }}
with state_results as (
    select * from {{ ref('stg_assessment__state_results') }}
    where {{ in_built_school_years('school_year', loads=ref('stg_assessment__state_results')) }}
),

map_results as (
    select * from {{ ref('stg_assessment__map_results') }}
    where {{ in_built_school_years('school_year', loads=ref('stg_assessment__map_results')) }}
),

benchmark_results as (
    select * from {{ ref('stg_assessment__benchmark_results') }}
    where {{ in_built_school_years('school_year', loads=ref('stg_assessment__benchmark_results')) }}
),

identities as (
    select * from {{ ref('int_identity_matches') }}
),

results as (
    select
        'state' as assessment,
        'State test' as assessment_name,
        _load_id,
        _source_file,
        _line_number,
        {{ assessment_person_id('state_id', 'last_name', 'first_name', 'birth_date') }} as source_person_id,
        'state_assessment' as source_system,
        school_year,
        school_id,
        state_school_code as school_code,
        cast(null as {{ dbt.type_string() }}) as school_name,
        grade_level,
        grade_number,
        academic_subject,
        academic_subject as measure,
        'State scale score' as score_scale,
        cast(null as {{ dbt.type_string() }}) as season,
        cast(null as integer) as term_order,
        cast(null as date) as test_date,
        cast(scale_score as decimal(12, 3)) as scale_score,
        achievement_level,
        level_order,
        is_proficient,
        cast(null as integer) as percentile,
        cast(null as decimal(12, 3)) as standard_error,
        is_tested,
        not_tested_reason
    from state_results

    union all

    select
        'map' as assessment,
        'NWEA MAP Growth' as assessment_name,
        _load_id,
        _source_file,
        _line_number,
        {{ assessment_person_id('local_id', 'last_name', 'first_name', 'birth_date') }} as source_person_id,
        'map' as source_system,
        school_year,
        school_id,
        cast(null as {{ dbt.type_string() }}) as school_code,
        school_name,
        grade_level,
        grade_number,
        academic_subject,
        measure,
        'RIT ' || measure as score_scale,
        season,
        term_order,
        test_date,
        cast(rit_score as decimal(12, 3)) as scale_score,
        cast(null as {{ dbt.type_string() }}) as achievement_level,
        cast(null as integer) as level_order,
        cast(null as boolean) as is_proficient,
        percentile,
        standard_error,
        true as is_tested,
        cast(null as {{ dbt.type_string() }}) as not_tested_reason
    from map_results

    union all

    select
        'benchmark' as assessment,
        assessment_name,
        _load_id,
        _source_file,
        _line_number,
        {{ benchmark_person_id() }} as source_person_id,
        'benchmark' as source_system,
        school_year,
        school_id,
        school_code,
        school_name,
        grade_level,
        grade_number,
        academic_subject,
        measure,
        assessment_name || ' ' || subject_code || ' ' || measure as score_scale,
        season,
        term_order,
        test_date,
        scale_score,
        performance_level as achievement_level,
        cast(null as integer) as level_order,
        is_proficient,
        percentile,
        cast(null as decimal(12, 3)) as standard_error,
        -- A result with a level and no score is tested (MAP Reading Fluency's screener outcome,
        -- IDEL's instructional recommendation): its level is the result, not a reason.
        scale_score is not null or not_tested_code is null as is_tested,
        not_tested_code as not_tested_reason
    from benchmark_results
)

select
    results.*,
    identities.student_key,
    case
        when identities.student_key is null
            then 'student not linked (' || coalesce(identities.review_reason, identities.match_status) || ')'
    end as _conform_reason
from results
left join identities
    on results.source_system = identities.source_system
    and results.source_person_id = identities.source_person_id
