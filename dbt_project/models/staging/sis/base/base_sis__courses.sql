{%- set columns = ['sourcedId', 'status', 'dateLastModified', 'schoolYearSourcedId', 'title', 'courseCode', 'grades', 'orgSourcedId', 'subjects', 'subjectCodes'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_sis', 'courses'), 'sis__courses') }}
),

typed as (
    select
        _load_id,
        _source_file,
        _line_number,
        {{ clean_text('"sourcedId"') }} as course_id,
        {{ clean_text('"schoolYearSourcedId"') }} as school_year_session_id,
        {{ clean_text('"title"') }} as course_title,
        {{ clean_text('"courseCode"') }} as course_code,
        {{ clean_text('"grades"') }} as grade_codes,
        {{ clean_text('"orgSourcedId"') }} as org_id,
        {{ clean_text('"subjects"') }} as subjects,
        {{ copy_number(columns) }} as _copy_number,
        row_number() over (partition by {{ clean_text('"sourcedId"') }} order by _line_number) as _key_number,
        {{ raw_record(columns) }} as _raw_record
    from raw
)

select
    *,
    {{ quarantine_rules([
        ['_copy_number > 1', '*', 'duplicate row'],
        ['course_id is null', 'sourcedId', 'missing sourcedId'],
        ['_key_number > 1', 'sourcedId', 'sourcedId repeated with different values'],
    ]) }}
from typed
