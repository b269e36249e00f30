{%- set columns = ['schoolSourcedId', 'date', 'dayType'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_sis', 'calendar'), 'sis__calendar', copies_of=columns) }}
),

day_types as (
    select * from {{ ref('calendar_day_types') }}
),

typed as (
    select
        raw._load_id,
        raw._source_file,
        raw._line_number,
        {{ clean_text('raw."schoolSourcedId"') }} as school_id,
        {{ safe_date('raw."date"') }} as calendar_date,
        {{ clean_text('raw."dayType"') }} as day_type,
        day_types.calendar_event,
        day_types.is_instructional,
        raw._copy_number,
        row_number() over (
            partition by {{ clean_text('raw."schoolSourcedId"') }}, {{ clean_text('raw."date"') }}
            order by raw._line_number
        ) as _key_number,
        {{ raw_record(columns) }} as _raw_record
    from raw
    left join day_types on {{ code_key('raw."dayType"') }} = {{ code_key('day_types.local_code') }}
),

checked as (
    select
        *,
        {{ quarantine_rules([
            ['_copy_number > 1', '*', 'duplicate row'],
            ['school_id is null', 'schoolSourcedId', 'missing school'],
            ['calendar_date is null', 'date', 'malformed date'],
            ['_key_number > 1', 'date', 'school and date repeated with different values'],
            ['is_instructional is null', 'dayType', 'unmapped day type'],
        ]) }}
    from typed
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
