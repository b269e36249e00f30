-- State test and MAP results in one shape, linked to a student where identity allows.
with state_results as (
    select * from {{ ref('stg_assessment__state_results') }}
),

map_results as (
    select * from {{ ref('stg_assessment__map_results') }}
),

identities as (
    select * from {{ ref('int_identity_matches') }}
),

results as (
    select
        'state' as assessment,
        _load_id,
        _source_file,
        _line_number,
        {{ assessment_person_id('state_id', 'last_name', 'first_name', 'birth_date') }} as source_person_id,
        'state_assessment' as source_system,
        school_year,
        school_id,
        grade_level,
        grade_number,
        academic_subject,
        cast(null as {{ dbt.type_string() }}) as season,
        cast(null as integer) as term_order,
        cast(null as date) as test_date,
        is_tested,
        not_tested_reason,
        scale_score,
        achievement_level,
        level_order,
        is_proficient,
        cast(null as integer) as percentile,
        cast(null as decimal(12, 3)) as standard_error
    from state_results

    union all

    select
        'map' as assessment,
        _load_id,
        _source_file,
        _line_number,
        {{ assessment_person_id('local_id', 'last_name', 'first_name', 'birth_date') }} as source_person_id,
        'map' as source_system,
        school_year,
        school_id,
        grade_level,
        grade_number,
        academic_subject,
        season,
        term_order,
        test_date,
        true as is_tested,
        cast(null as {{ dbt.type_string() }}) as not_tested_reason,
        rit_score as scale_score,
        cast(null as {{ dbt.type_string() }}) as achievement_level,
        cast(null as integer) as level_order,
        cast(null as boolean) as is_proficient,
        percentile,
        standard_error
    from map_results
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
