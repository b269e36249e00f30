{%- set columns = ['TermName', 'DistrictName', 'SchoolName', 'StudentID', 'StudentLastName', 'StudentFirstName', 'StudentMI', 'StudentDateOfBirth', 'StudentGender', 'Grade', 'Subject', 'Course', 'TestType', 'TestName', 'TestStartDate', 'TestDurationMinutes', 'TestRITScore', 'TestStandardError', 'TestPercentile', 'AchievementQuintile'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_assessment', 'map_results'), 'assessment__map_results', copies_of=columns) }}
),

grades as (
    select * from {{ ref('grade_levels') }} where {{ code_key('source') }} = 'MAP'
),

subjects as (
    select * from {{ ref('academic_subjects') }} where {{ code_key('source') }} = 'MAP'
),

sexes as (
    select * from {{ ref('sex_codes') }} where {{ code_key('source') }} = 'MAP'
),

terms as (
    select * from {{ ref('map_terms') }}
),

schools as (
    {{ resolve_schools('map', 'raw', 'SchoolName') }}
),

typed as (
    select
        raw._load_id,
        raw._source_file,
        raw._line_number,
        {{ clean_text('raw."TermName"') }} as term_name,
        terms.season,
        terms.term_order,
        {{ safe_int(dbt.split_part(dbt.split_part('raw."TermName"', "' '", 2), "'-'", 2)) }} as school_year,
        {{ clean_text('raw."SchoolName"') }} as school_name,
        schools.school_id,
        schools.school_match,
        {{ clean_text('raw."StudentID"') }} as local_id,
        {{ clean_text('raw."StudentLastName"') }} as last_name,
        {{ clean_text('raw."StudentFirstName"') }} as first_name,
        {{ safe_date('raw."StudentDateOfBirth"') }} as birth_date,
        sexes.sex,
        grades.grade_level,
        grades.grade_number,
        {{ clean_text('raw."Subject"') }} as subject_code,
        subjects.academic_subject,
        {{ safe_date('raw."TestStartDate"') }} as test_date,
        {{ safe_int('raw."TestRITScore"') }} as rit_score,
        {{ safe_numeric('raw."TestStandardError"') }} as standard_error,
        {{ safe_int('raw."TestPercentile"') }} as percentile,
        {{ clean_text('raw."StudentDateOfBirth"') }} is null as _birth_missing,
        raw._copy_number,
        {{ raw_record(columns) }} as _raw_record
    from raw
    left join grades on {{ code_key('raw."Grade"') }} = {{ code_key('grades.local_code') }}
    left join subjects on {{ code_key('raw."Subject"') }} = {{ code_key('subjects.local_code') }}
    left join sexes on {{ code_key('raw."StudentGender"') }} = {{ code_key('sexes.local_code') }}
    left join schools on {{ clean_text('raw."SchoolName"') }} = schools.vendor_value
    left join terms on {{ code_key(dbt.split_part('raw."TermName"', "' '", 1)) }} = {{ code_key('terms.season') }}
),

checked as (
    select
        *,
        {{ quarantine_rules([
            ['_copy_number > 1', '*', 'duplicate row'],
            ['season is null or school_year is null', 'TermName', 'unrecognised term name'],
            ['school_id is null', 'SchoolName', 'school not in the school crosswalk'],
            ['grade_level is null', 'Grade', 'unmapped grade code'],
            ['academic_subject is null', 'Subject', 'unmapped subject'],
            ['test_date is null', 'TestStartDate', 'malformed date'],
            ['rit_score is null or rit_score not between 100 and 350', 'TestRITScore', 'RIT score missing or outside 100-350'],
            ['percentile is not null and percentile not between 1 and 99', 'TestPercentile', 'percentile outside 1-99'],
            ['birth_date is null and not _birth_missing', 'StudentDateOfBirth', 'malformed date'],
        ]) }}
    from typed
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
