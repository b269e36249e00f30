{%- set columns = ['sourcedId', 'status', 'dateLastModified', 'enabledUser', 'orgSourcedIds', 'role', 'username', 'userIds', 'givenName', 'familyName', 'middleName', 'identifier', 'email', 'sms', 'phone', 'agentSourcedIds', 'grades', 'userMasterIdentifier', 'resourceSourcedIds', 'preferredGivenName', 'preferredMiddleName', 'preferredFamilyName', 'primaryOrgSourcedId', 'pronouns'] -%}
-- OneRoster 1.1 users carry their role and orgs; 1.2 users do not (roles.csv holds them): a user's
-- role is users.role, else their primary role in roles.csv; their org is users' first
-- orgSourcedIds, else 1.2's primaryOrgSourcedId, else the org of their primary role.
with raw as (
    select * from {{ latest_loads(source('raw_sis', 'users'), 'sis__users', copies_of=columns, manifest_file='users', key='sourcedId') }}
),

grades as (
    select * from {{ ref('grade_levels') }} where {{ code_key('source') }} = 'ONEROSTER'
),

roles as (
    select
        user_id,
        role_type,
        user_role,
        org_id,
        row_number() over (
            partition by user_id
            order by case when role_type = 'primary' then 0 else 1 end asc, begin_date desc, role_id asc
        ) as role_rank
    from {{ ref('stg_sis__roles') }}
),

primary_roles as (
    select user_id, user_role, org_id from roles where role_rank = 1
),

typed as (
    select
        {{ row_lineage(columns, key='sourcedId') }},
        {{ oneroster_status() }},
        lower({{ clean_text('raw."enabledUser"') }}) = 'false' as _disabled,
        {{ clean_text('raw."sourcedId"') }} as user_id,
        coalesce(lower({{ clean_text('raw."role"') }}), primary_roles.user_role) as user_role,
        {{ oneroster_user_id(var('sis_local_id')) }} as local_id,
        {{ oneroster_user_id(var('sis_state_id')) }} as state_id,
        -- Every field that can hold an ID, whichever the settings name (audit.id_field_report).
        {{ clean_text('raw."identifier"') }} as identifier,
        {{ clean_text('raw."username"') }} as username,
        {{ clean_text('raw."userIds"') }} as user_ids,
        {{ clean_text('raw."givenName"') }} as first_name,
        {{ clean_text('raw."familyName"') }} as last_name,
        {{ clean_text('raw."middleName"') }} as middle_name,
        lower({{ clean_text('raw."email"') }}) as email,
        coalesce(
            {{ clean_text(dbt.split_part('raw."orgSourcedIds"', "','", 1)) }},
            {{ clean_text('raw."primaryOrgSourcedId"') }},
            primary_roles.org_id
        ) as school_id,
        {{ clean_text('raw."grades"') }} as grade_code,
        grades.grade_level,
        grades.grade_number
    from raw
    left join grades on {{ code_key('raw."grades"') }} = {{ code_key('grades.local_code') }}
    left join primary_roles on {{ clean_text('raw."sourcedId"') }} = primary_roles.user_id
),

checked as (
    select
        *,
        {{ quarantine_rules(oneroster_rules('user_id') + [
            ["user_role is null or user_role not in ('student', 'teacher', 'administrator', 'aide', 'guardian', 'parent', 'relative', 'counselor', 'districtadministrator', 'principal', 'proctor', 'siteadministrator', 'systemadministrator')", 'role', 'unknown role'],
            ["user_role = 'student' and grade_code is not null and grade_level is null", 'grades', 'unmapped grade code'],
        ]) }}
    from typed
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
