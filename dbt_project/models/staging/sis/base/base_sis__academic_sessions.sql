{%- set columns = ['sourcedId', 'status', 'dateLastModified', 'title', 'type', 'startDate', 'endDate', 'parentSourcedId', 'schoolYear'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_sis', 'academic_sessions'), 'sis__academic_sessions') }}
),

typed as (
    select
        _load_id,
        _source_file,
        _line_number,
        {{ clean_text('"sourcedId"') }} as session_id,
        {{ clean_text('"title"') }} as session_title,
        lower({{ clean_text('"type"') }}) as session_type,
        {{ safe_date('"startDate"') }} as start_date,
        {{ safe_date('"endDate"') }} as end_date,
        {{ clean_text('"parentSourcedId"') }} as parent_session_id,
        {{ safe_int('"schoolYear"') }} as school_year,
        {{ copy_number(columns) }} as _copy_number,
        row_number() over (partition by {{ clean_text('"sourcedId"') }} order by _line_number) as _key_number,
        {{ raw_record(columns) }} as _raw_record
    from raw
)

select
    *,
    {{ quarantine_rules([
        ['_copy_number > 1', '*', 'duplicate row'],
        ['session_id is null', 'sourcedId', 'missing sourcedId'],
        ['_key_number > 1', 'sourcedId', 'sourcedId repeated with different values'],
        ['start_date is null', 'startDate', 'malformed date'],
        ['end_date is null', 'endDate', 'malformed date'],
        ['end_date < start_date', 'endDate', 'ends before it starts'],
        ['school_year is null', 'schoolYear', 'malformed school year'],
    ]) }}
from typed
