{%- set columns = ['sourcedId', 'status', 'dateLastModified', 'classSourcedId', 'schoolSourcedId', 'userSourcedId', 'role', 'primary', 'beginDate', 'endDate'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_sis', 'enrollments'), 'sis__enrollments', copies_of=columns, manifest_file='enrollments', key='sourcedId') }}
),

typed as (
    select
        {{ row_lineage(columns, key='sourcedId') }},
        {{ oneroster_status() }},
        {{ clean_text('"sourcedId"') }} as enrollment_id,
        {{ clean_text('"classSourcedId"') }} as section_id,
        {{ clean_text('"schoolSourcedId"') }} as school_id,
        {{ clean_text('"userSourcedId"') }} as user_id,
        lower({{ clean_text('"role"') }}) as enrollment_role,
        lower({{ clean_text('"primary"') }}) = 'true' as is_primary,
        {{ safe_date('"beginDate"') }} as begin_date,
        {{ safe_date('"endDate"') }} as end_date,
        {{ clean_text('"beginDate"') }} is null as _begin_missing,
        {{ clean_text('"endDate"') }} is null as _end_missing
    from raw
),

checked as (
    select
        *,
        {{ quarantine_rules(oneroster_rules('enrollment_id') + [
            ['user_id is null', 'userSourcedId', 'missing user'],
            ['section_id is null', 'classSourcedId', 'missing class'],
            ["enrollment_role not in ('student', 'teacher', 'administrator', 'aide', 'guardian', 'parent', 'proctor')", 'role', 'unknown role'],
            ['begin_date is null and not _begin_missing', 'beginDate', 'malformed date'],
            ['end_date is null and not _end_missing', 'endDate', 'malformed date'],
            ['end_date < begin_date', 'endDate', 'ends before it starts'],
        ]) }}
    from typed
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
