{%- set columns = ['SchoolYear', 'DistrictCode', 'SchoolCode', 'SASID', 'LastName', 'FirstName', 'BirthDate', 'TestedGrade', 'Subject', 'ScaleScore', 'AchievementLevel'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_assessment', 'state_results'), 'assessment__state_results', copies_of=columns) }}
),

grades as (
    select * from {{ ref('grade_levels') }} where source = 'state'
),

subjects as (
    select * from {{ ref('academic_subjects') }} where source = 'state'
),

levels as (
    select * from {{ ref('achievement_levels') }} where assessment = 'state'
),

typed as (
    select
        raw._load_id,
        raw._source_file,
        raw._line_number,
        {{ safe_int('raw."SchoolYear"') }} as school_year,
        {{ clean_text('raw."DistrictCode"') }} as district_code,
        {{ clean_text('raw."SchoolCode"') }} as state_school_code,
        {{ clean_text('raw."SASID"') }} as state_id,
        {{ clean_text('raw."LastName"') }} as last_name,
        {{ clean_text('raw."FirstName"') }} as first_name,
        {{ safe_date('raw."BirthDate"') }} as birth_date,
        grades.grade_level,
        grades.grade_number,
        upper({{ clean_text('raw."Subject"') }}) as subject_code,
        subjects.academic_subject,
        {{ safe_int('raw."ScaleScore"') }} as scale_score,
        upper({{ clean_text('raw."AchievementLevel"') }}) as achievement_level_code,
        levels.achievement_level,
        levels.level_order,
        levels.is_proficient,
        levels.min_scale_score,
        levels.max_scale_score,
        {{ clean_text('raw."BirthDate"') }} is null as _birth_missing,
        raw._copy_number,
        {{ raw_record(columns) }} as _raw_record
    from raw
    left join grades on {{ clean_text('raw."TestedGrade"') }} = grades.local_code
    left join subjects on upper({{ clean_text('raw."Subject"') }}) = subjects.local_code
    left join levels on upper({{ clean_text('raw."AchievementLevel"') }}) = levels.local_code
),

checked as (
    select
        *,
        {{ quarantine_rules([
            ['_copy_number > 1', '*', 'duplicate row'],
            ['school_year is null', 'SchoolYear', 'malformed school year'],
            ['grade_level is null', 'TestedGrade', 'unmapped grade code'],
            ['academic_subject is null', 'Subject', 'unmapped subject'],
            ['achievement_level is null', 'AchievementLevel', 'unmapped achievement level'],
            ['scale_score is null', 'ScaleScore', 'malformed scale score'],
            ['scale_score not between min_scale_score and max_scale_score', 'ScaleScore', 'scale score outside its achievement level band'],
            ['birth_date is null and not _birth_missing', 'BirthDate', 'malformed date'],
        ]) }}
    from typed
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
