{%- set columns = ['sourcedId', 'status', 'dateLastModified', 'enabledUser', 'orgSourcedIds', 'role', 'username', 'userIds', 'givenName', 'familyName', 'middleName', 'identifier', 'email', 'sms', 'phone', 'agentSourcedIds', 'grades', 'password'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_sis', 'users'), 'sis__users', copies_of=columns) }}
),

grades as (
    select * from {{ ref('grade_levels') }} where {{ code_key('source') }} = 'ONEROSTER'
),

typed as (
    select
        {{ row_lineage(columns, key='sourcedId') }},
        {{ clean_text('raw."sourcedId"') }} as user_id,
        lower({{ clean_text('raw."role"') }}) as user_role,
        {{ clean_text('raw."givenName"') }} as first_name,
        {{ clean_text('raw."familyName"') }} as last_name,
        {{ clean_text('raw."middleName"') }} as middle_name,
        {{ clean_text('raw."identifier"') }} as state_id,
        lower({{ clean_text('raw."email"') }}) as email,
        {{ clean_text(dbt.split_part('raw."orgSourcedIds"', "','", 1)) }} as school_id,
        {{ clean_text('raw."grades"') }} as grade_code,
        grades.grade_level,
        grades.grade_number
    from raw
    left join grades on {{ code_key('raw."grades"') }} = {{ code_key('grades.local_code') }}
),

checked as (
    select
        *,
        {{ quarantine_rules(key_rules('user_id', 'sourcedId') + [
            ["user_role is null or user_role not in ('student', 'teacher', 'administrator', 'aide', 'guardian', 'parent', 'relative')", 'role', 'unknown role'],
            ["user_role = 'student' and grade_level is null", 'grades', 'unmapped grade code'],
        ]) }}
    from typed
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
