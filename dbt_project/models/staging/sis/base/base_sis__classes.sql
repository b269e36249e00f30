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

-- The school each org is or sits under (a class attached to a department belongs to the school
-- above it): a class whose org is unknown, or is no school and has none above it, names no
-- school a row can be counted at, so it is quarantined here rather than left dangling in
-- dim_section (a real 1.1 export whose only org was a department failed the build so).
org_schools as (
    select * from {{ ref('int_sis_org_schools') }}
),

checked as (
    select
        typed.*,
        {{ quarantine_rules(oneroster_rules('section_id') + [
            ["class_type not in ('homeroom', 'scheduled')", 'classType', 'unknown class type'],
            ['typed.school_id is null', 'schoolSourcedId', 'missing school'],
            ['org_schools.org_id is null', 'schoolSourcedId', 'school not in orgs'],
            ['org_schools.school_id is null', 'schoolSourcedId', 'org is not a school nor under one'],
        ]) }}
    from typed
    left join org_schools on typed.school_id = org_schools.org_id
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
