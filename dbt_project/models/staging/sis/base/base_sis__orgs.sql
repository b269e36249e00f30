{%- set columns = ['sourcedId', 'status', 'dateLastModified', 'name', 'type', 'identifier', 'parentSourcedId'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_sis', 'orgs'), 'sis__orgs', copies_of=columns, manifest_file='orgs', key='sourcedId') }}
),

typed as (
    select
        {{ row_lineage(columns, key='sourcedId') }},
        {{ oneroster_status() }},
        {{ clean_text('"sourcedId"') }} as org_id,
        {{ clean_text('"name"') }} as org_name,
        lower({{ clean_text('"type"') }}) as org_type,
        {{ clean_text('"identifier"') }} as state_org_code,
        {{ clean_text('"parentSourcedId"') }} as parent_org_id
    from raw
),

checked as (
    select
        *,
        {{ quarantine_rules(oneroster_rules('org_id') + [
            ["org_type not in ('district', 'school', 'local', 'state', 'department', 'national')", 'type', 'unknown org type'],
        ]) }}
    from typed
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
