{%- set columns = ['sourcedId', 'status', 'dateLastModified', 'enabledUser', 'orgSourcedIds', 'role', 'username', 'userIds', 'givenName', 'familyName', 'middleName', 'identifier', 'email', 'sms', 'phone', 'agentSourcedIds', 'grades', 'password'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_sis', 'users'), 'sis__users') }}
),

grades as (
    select * from {{ ref('grade_levels') }} where source = 'oneroster'
),

typed as (
    select
        raw._load_id,
        raw._source_file,
        raw._line_number,
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
        grades.grade_number,
        {{ copy_number(columns) }} as _copy_number,
        row_number() over (partition by {{ clean_text('raw."sourcedId"') }} order by raw._line_number) as _key_number,
        {{ raw_record(columns) }} as _raw_record
    from raw
    left join grades on {{ clean_text('raw."grades"') }} = grades.local_code
)

select
    *,
    {{ quarantine_rules([
        ['_copy_number > 1', '*', 'duplicate row'],
        ['user_id is null', 'sourcedId', 'missing sourcedId'],
        ['_key_number > 1', 'sourcedId', 'sourcedId repeated with different values'],
        ["user_role is null or user_role not in ('student', 'teacher', 'administrator', 'aide', 'guardian', 'parent', 'relative')", 'role', 'unknown role'],
        ["user_role = 'student' and grade_level is null", 'grades', 'unmapped grade code'],
    ]) }}
from typed
