{%- set columns = ['propertyName', 'value'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_sis', 'manifest'), 'sis__manifest') }}
),

checked as (
    select
        _load_id,
        _source_file,
        _line_number,
        {{ clean_text('"propertyName"') }} as property_name,
        {{ clean_text('"value"') }} as property_value,
        {{ raw_record(columns) }} as _raw_record,
        {{ quarantine_rules([
            ['nullif(trim("propertyName"), \'\') is null', 'propertyName', 'missing property name'],
        ]) }}
    from raw
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
