{%- set columns = ['sourcedId', 'status', 'dateLastModified', 'title', 'grades', 'courseSourcedId', 'classCode', 'classType', 'location', 'schoolSourcedId', 'termSourcedIds', 'subjects', 'subjectCodes', 'periods'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_sis', 'classes'), 'sis__classes', copies_of=columns, manifest_file='classes', key='sourcedId') }}
),

typed as (
    select
        {{ row_lineage(columns, key='sourcedId') }},
        {{ oneroster_status() }},
        {{ clean_text('"sourcedId"') }} as section_id,
        {{ clean_text('"title"') }} as section_title,
        {{ clean_text('"grades"') }} as grade_codes,
        {{ clean_text('"courseSourcedId"') }} as course_id,
        {{ clean_text('"classCode"') }} as class_code,
        lower({{ clean_text('"classType"') }}) as class_type,
        {{ clean_text('"location"') }} as location,
        {{ clean_text('"schoolSourcedId"') }} as school_id,
        {{ clean_text('"termSourcedIds"') }} as term_ids,
        {{ clean_text('"subjects"') }} as subjects,
        {{ clean_text('"periods"') }} as periods
    from raw
),

checked as (
    select
        *,
        {{ quarantine_rules(oneroster_rules('section_id') + [
            ["class_type not in ('homeroom', 'scheduled')", 'classType', 'unknown class type'],
            ['school_id is null', 'schoolSourcedId', 'missing school'],
        ]) }}
    from typed
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
