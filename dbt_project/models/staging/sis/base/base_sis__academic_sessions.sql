{%- set columns = ['sourcedId', 'status', 'dateLastModified', 'title', 'type', 'startDate', 'endDate', 'parentSourcedId', 'schoolYear'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_sis', 'academic_sessions'), 'sis__academic_sessions', copies_of=columns, manifest_file='academicSessions', key='sourcedId') }}
),

typed as (
    select
        {{ row_lineage(columns, key='sourcedId') }},
        {{ oneroster_status() }},
        {{ clean_text('"sourcedId"') }} as session_id,
        {{ clean_text('"title"') }} as session_title,
        lower({{ clean_text('"type"') }}) as session_type,
        {{ safe_date('"startDate"') }} as start_date,
        {{ safe_date('"endDate"') }} as end_date,
        {{ clean_text('"parentSourcedId"') }} as parent_session_id,
        {{ safe_int('"schoolYear"') }} as school_year
    from raw
),

checked as (
    select
        *,
        {{ quarantine_rules(oneroster_rules('session_id') + [
            ['start_date is null', 'startDate', 'malformed date'],
            ['end_date is null', 'endDate', 'malformed date'],
            ['end_date < start_date', 'endDate', 'ends before it starts'],
            ['school_year is null', 'schoolYear', 'malformed school year'],
        ]) }}
    from typed
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
