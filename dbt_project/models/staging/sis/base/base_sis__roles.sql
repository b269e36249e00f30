{%- set columns = ['sourcedId', 'status', 'dateLastModified', 'userSourcedId', 'roleType', 'role', 'beginDate', 'endDate', 'orgSourcedId', 'userProfileSourcedId'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_sis', 'roles'), 'sis__roles', copies_of=columns, manifest_file='roles', key='sourcedId') }}
),

typed as (
    select
        {{ row_lineage(columns, key='sourcedId') }},
        {{ oneroster_status() }},
        {{ clean_text('"sourcedId"') }} as role_id,
        {{ clean_text('"userSourcedId"') }} as user_id,
        lower({{ clean_text('"roleType"') }}) as role_type,
        lower({{ clean_text('"role"') }}) as user_role,
        {{ clean_text('"orgSourcedId"') }} as org_id,
        {{ safe_date('"beginDate"') }} as begin_date,
        {{ safe_date('"endDate"') }} as end_date,
        {{ clean_text('"beginDate"') }} is null as _begin_missing,
        {{ clean_text('"endDate"') }} is null as _end_missing
    from raw
),

checked as (
    select
        *,
        {{ quarantine_rules(oneroster_rules('role_id') + [
            ['user_id is null', 'userSourcedId', 'missing user'],
            ['org_id is null', 'orgSourcedId', 'missing org'],
            ["role_type not in ('primary', 'secondary')", 'roleType', 'unknown role type'],
            ["user_role not in ('aide', 'counselor', 'districtadministrator', 'guardian', 'parent', 'principal', 'proctor', 'relative', 'siteadministrator', 'student', 'systemadministrator', 'teacher')", 'role', 'unknown role'],
            ['begin_date is null and not _begin_missing', 'beginDate', 'malformed date'],
            ['end_date is null and not _end_missing', 'endDate', 'malformed date'],
        ]) }}
    from typed
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
