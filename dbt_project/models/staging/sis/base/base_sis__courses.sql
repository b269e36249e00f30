{%- set columns = ['sourcedId', 'status', 'dateLastModified', 'schoolYearSourcedId', 'title', 'courseCode', 'grades', 'orgSourcedId', 'subjects', 'subjectCodes'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_sis', 'courses'), 'sis__courses', copies_of=columns, manifest_file='courses', key='sourcedId') }}
),

typed as (
    select
        {{ row_lineage(columns, key='sourcedId') }},
        {{ oneroster_status() }},
        {{ clean_text('"sourcedId"') }} as course_id,
        {{ clean_text('"schoolYearSourcedId"') }} as school_year_session_id,
        {{ clean_text('"title"') }} as course_title,
        {{ clean_text('"courseCode"') }} as course_code,
        {{ clean_text('"grades"') }} as grade_codes,
        {{ clean_text('"orgSourcedId"') }} as org_id,
        {{ clean_text('"subjects"') }} as subjects
    from raw
),

checked as (
    select
        *,
        {{ quarantine_rules(oneroster_rules('course_id') + [
        ]) }}
    from typed
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
