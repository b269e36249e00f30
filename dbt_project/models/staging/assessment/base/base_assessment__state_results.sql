{%- set columns = ['SchoolYear', 'DistrictCode', 'SchoolCode', 'SASID', 'LastName', 'FirstName', 'BirthDate', 'TestedGrade', 'Subject', 'ScaleScore', 'AchievementLevel', 'Assessment', 'NotTestedCode'] -%}
{{ config(
    pre_hook="{{ delete_replaced_loads(latest_loads(source('raw_assessment', 'state_results'), 'assessment__state_results')) }}",
) }}
{#- The row's own SchoolYear is its partition (macros/school_years.sql): a year build reads that year's rows. -#}
with raw as (
    select * from {{ latest_loads('(select * from ' ~ source('raw_assessment', 'state_results') ~ ' where ' ~ in_built_school_years(school_year('"SchoolYear"'), loads=latest_loads(source('raw_assessment', 'state_results'), 'assessment__state_results')) ~ ')', 'assessment__state_results', copies_of=columns) }}
),

grades as (
    select * from {{ ref('grade_levels') }} where {{ code_key('source') }} = 'STATE'
),

subjects as (
    select * from {{ ref('academic_subjects') }} where {{ code_key('source') }} = 'STATE'
),

levels as (
    select * from {{ ref('achievement_levels') }}
),

participation as (
    select * from {{ ref('not_tested_codes') }}
),

-- A file mixing summative and interim rows names each row's kind (CERS' AssessmentType): the
-- state assessment it is, and whether it is a state test at all; each kind for its own layout.
assessment_types as (
    select * from {{ ref('state_assessment_types') }}
),

schools as (
    {{ resolve_schools('state_assessment', 'raw', 'SchoolCode') }}
),

coded as (
    select
        raw.*,
        -- Files landed before layouts named their assessment are the districtwide layout's.
        coalesce(
            {{ code_key('assessment_types.assessment_name') }}, {{ code_key('raw."Assessment"') }}, 'STATE'
        ) as _assessment_key,
        coalesce(assessment_types.is_state_test, true) as _is_state_test,
        {{ code_key('raw."Subject"') }} as _subject_key,
        -- A code of spaces is no code (Missouri pads MAP_SCORE_INVALIDATION with one).
        nullif({{ code_key('raw."AchievementLevel"') }}, '') as _level_key,
        nullif({{ code_key('raw."NotTestedCode"') }}, '') as _not_tested_key,
        grades.grade_level,
        grades.grade_number,
        subjects.academic_subject,
        schools.school_id,
        schools.school_match,
        {{ raw_record(columns) }} as _raw_record
    from raw
    left join grades on {{ code_key('raw."TestedGrade"') }} = {{ code_key('grades.local_code') }}
    left join subjects on {{ code_key('raw."Subject"') }} = {{ code_key('subjects.local_code') }}
    left join assessment_types
        on {{ code_key('raw."Assessment"') }} = {{ code_key('assessment_types.assessment_type') }}
        and raw._layout = assessment_types.layout
    left join schools on {{ clean_text('raw."SchoolCode"') }} = schools.vendor_value
),

-- The level row of each (assessment, subject, grade, code) the file holds: the most specific one
-- (a row for the subject beats one for any subject; for the grade, one for any grade).
level_keys as (
    select distinct _assessment_key, _subject_key, grade_number, _level_key
    from coded
    where _level_key is not null
),

ranked_levels as (
    select
        level_keys.*,
        levels.achievement_level,
        levels.level_order,
        levels.is_proficient,
        levels.min_scale_score,
        levels.max_scale_score,
        row_number() over (
            partition by level_keys._assessment_key, level_keys._subject_key, level_keys.grade_number, level_keys._level_key
            order by case when levels.subject is null then 1 else 0 end, case when levels.grade is null then 1 else 0 end
        ) as _specificity
    from level_keys
    inner join levels
        on level_keys._assessment_key = {{ code_key('levels.assessment') }}
        and level_keys._level_key = {{ code_key('levels.local_code') }}
        and (levels.subject is null or level_keys._subject_key = {{ code_key('levels.subject') }})
        and (levels.grade is null or level_keys.grade_number = levels.grade)
),

typed as (
    select
        coded._load_id,
        coded._source_file,
        coded._line_number,
        {{ school_year('coded."SchoolYear"') }} as school_year,
        {{ clean_text('coded."DistrictCode"') }} as district_code,
        {{ clean_text('coded."SchoolCode"') }} as state_school_code,
        coded.school_id,
        coded.school_match,
        {{ clean_text('coded."SASID"') }} as state_id,
        {{ clean_text('coded."LastName"') }} as last_name,
        {{ clean_text('coded."FirstName"') }} as first_name,
        {{ safe_date('coded."BirthDate"') }} as birth_date,
        coded.grade_level,
        coded.grade_number,
        coded._subject_key as subject_code,
        coded.academic_subject,
        -- Not tested (a participation code in NotTestedCode, or in the level column when the
        -- file has no such column): kept with its reason, without a score or level.
        -- A value that is one of the assessment's levels is a level, never a participation code
        -- (CMAS levels 1-5 and its not-tested reasons 0-10 share digits).
        coalesce(
            by_code.is_tested,
            case when ranked_levels.achievement_level is not null then true end,
            by_level.is_tested,
            coded._not_tested_key is null
        ) as is_tested,
        case
            when by_code.is_tested = false then by_code.reason
            when by_code.is_tested is null and ranked_levels.achievement_level is null
                and by_level.is_tested = false then by_level.reason
        end as not_tested_reason,
        coded._not_tested_key is not null and by_code.is_tested is null as _participation_unmapped,
        {{ safe_int('coded."ScaleScore"') }} as scale_score,
        coded._level_key as achievement_level_code,
        ranked_levels.achievement_level,
        ranked_levels.level_order,
        ranked_levels.is_proficient,
        ranked_levels.min_scale_score,
        ranked_levels.max_scale_score,
        {{ clean_text('coded."BirthDate"') }} is null as _birth_missing,
        -- A tested row without a score keeps its level (an alternate assessment such as
        -- Missouri's MAP-A reports a level only); a score that is not a number is malformed.
        {{ clean_text('coded."ScaleScore"') }} is not null as _score_given,
        -- The result's natural key (macro newest_delivery_wins): the student as delivered (the
        -- SASID with the birth date), assessment, subject and administration (the year).
        coded._assessment_key as _key_assessment,
        coded._is_state_test,
        {{ delivered_student(['coded."SASID"'], 'coded."LastName"', 'coded."FirstName"', 'coded."BirthDate"') }} as _key_student,
        coalesce(coded.academic_subject, coded._subject_key) as _key_subject,
        coded._copy_number,
        coded._raw_record
    from coded
    left join participation as by_code
        on coded._assessment_key = {{ code_key('by_code.assessment') }}
        and coded._not_tested_key = {{ code_key('by_code.local_code') }}
    left join participation as by_level
        on coded._not_tested_key is null
        and coded._assessment_key = {{ code_key('by_level.assessment') }}
        and coded._level_key = {{ code_key('by_level.local_code') }}
    left join ranked_levels
        on coded._assessment_key = ranked_levels._assessment_key
        and coded._subject_key = ranked_levels._subject_key
        and coded.grade_number = ranked_levels.grade_number
        and coded._level_key = ranked_levels._level_key
        and ranked_levels._specificity = 1
),

delivered as (
    {{ newest_delivery_wins('typed', ['_key_student', '_key_assessment', '_key_subject', 'school_year']) }}
),

checked as (
    select
        *,
        {{ quarantine_rules([
            ['_copy_number > 1', '*', 'duplicate row'],
        ] + delivery_rules() + [
            ['not _is_state_test', 'Assessment', 'not a state content test (an interim or language proficiency)'],
            ['school_year is null', 'SchoolYear', 'malformed school year'],
            ['school_id is null', 'SchoolCode', 'school not in the school crosswalk'],
            ['grade_level is null', 'TestedGrade', 'unmapped grade code'],
            ['academic_subject is null', 'Subject', 'unmapped subject'],
            ['_participation_unmapped', 'NotTestedCode', 'unmapped participation code'],
            ['is_tested and achievement_level is null', 'AchievementLevel', 'unmapped achievement level'],
            ['is_tested and scale_score is null and _score_given', 'ScaleScore', 'malformed scale score'],
            ['is_tested and scale_score not between min_scale_score and max_scale_score', 'ScaleScore', 'scale score outside its achievement level band'],
            ['birth_date is null and not _birth_missing', 'BirthDate', 'malformed date'],
        ]) }}
    from delivered
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
