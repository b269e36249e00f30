-- Grain: one row per current SIS student and ID field that holds a value: sourcedId, identifier,
-- username and each `{type:id}` entry of userIds (as 'userIds:<type>', the first five entries).
-- Which field holds the district's local ID varies by SIS (settings/sis.py); this is what
-- audit.id_field_report compares every source's IDs against, whichever field the settings name.
with users as (
    select * from {{ ref('stg_sis__users') }}
    where user_role = 'student'
),

{%- set n_entries = 5 %}

fields as (
    select user_id, 'sourcedId' as sis_field, user_id as id_value from users
    union all
    select user_id, 'identifier', identifier from users
    union all
    select user_id, 'username', username from users
    {%- for n in range(1, n_entries + 1) %}
    union all
    -- entry {{ n }} of '{district:123},{state:99}': split at '}', then drop ',' and '{'
    select
        user_id,
        'userIds:' || trim({{ dbt.split_part(userids_entry_text(n), "':'", 1) }}),
        trim({{ dbt.split_part(userids_entry_text(n), "':'", 2) }})
    from users
    where user_ids is not null
    {%- endfor %}
)

select distinct
    user_id,
    sis_field,
    id_value
from fields
where id_value is not null and id_value <> '' and sis_field <> 'userIds:'
