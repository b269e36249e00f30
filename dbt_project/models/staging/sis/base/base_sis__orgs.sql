{%- set columns = ['sourcedId', 'status', 'dateLastModified', 'name', 'type', 'identifier', 'parentSourcedId'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_sis', 'orgs'), 'sis__orgs') }}
),

typed as (
    select
        _load_id,
        _source_file,
        _line_number,
        {{ clean_text('"sourcedId"') }} as org_id,
        {{ clean_text('"name"') }} as org_name,
        lower({{ clean_text('"type"') }}) as org_type,
        {{ clean_text('"identifier"') }} as state_org_code,
        {{ clean_text('"parentSourcedId"') }} as parent_org_id,
        {{ copy_number(columns) }} as _copy_number,
        row_number() over (partition by {{ clean_text('"sourcedId"') }} order by _line_number) as _key_number,
        {{ raw_record(columns) }} as _raw_record
    from raw
)

select
    *,
    {{ quarantine_rules([
        ['_copy_number > 1', '*', 'duplicate row'],
        ['org_id is null', 'sourcedId', 'missing sourcedId'],
        ['_key_number > 1', 'sourcedId', 'sourcedId repeated with different values'],
        ["org_type not in ('district', 'school', 'local', 'state', 'department', 'national')", 'type', 'unknown org type'],
    ]) }}
from typed
