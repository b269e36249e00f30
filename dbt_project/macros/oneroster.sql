{# OneRoster deliveries as the manifest describes them (1EdTech OneRoster 1.1 / 1.2 CSV, section 3):
   `file.<name>` is `bulk` (the file is the whole set: it replaces what came before), `delta` (only
   changed records: each updates or, with status `tobedeleted`, removes its sourcedId) or `absent`
   (not in this delivery: the previous load stays).

   Which manifest goes with a file: of those delivered in the same folder (or zip) and loaded no
   later than 10 minutes after the file, the one loaded nearest in time to it. Files of one
   delivery are landed in one run, within a second (in parallel, so the manifest may land just
   after the file); a manifest equal to the previous one is not loaded again, and then the
   previous one (the same content) is the nearest before it. A file with no manifest in its folder counts as bulk (a plain export); a file
   delivered although its manifest calls it absent is not applied.

   The rows in effect: those of the last bulk load of the file name and of every delta load after
   it; where several of these loads carry one sourcedId (`key`), only the latest delivery's row
   (two rows of one sourcedId in one file are staging's to quarantine). Rows without a sourcedId
   are kept from every load in effect (staging quarantines them). #}
{% macro oneroster_loads(relation, raw_table, manifest_file, key=none) -%}
(
    with loads as (
        select
            load_id,
            source_file,
            loaded_at,
            {{ delivery_folder('coalesce(source_path, source_file)') }} as folder
        from {{ source('raw_audit', 'file_loads') }}
        where raw_table = '{{ raw_table }}' and status = 'loaded'
    ),

    manifests as (
        select
            audit.loaded_at,
            {{ delivery_folder('coalesce(audit.source_path, audit.source_file)') }} as folder,
            lower(trim(manifest."value")) as mode
        from {{ source('raw_sis', 'manifest') }} as manifest
        inner join {{ source('raw_audit', 'file_loads') }} as audit
            on manifest._load_id = audit.load_id
        where audit.raw_table = 'sis__manifest' and audit.status = 'loaded'
            and lower(trim(manifest."propertyName")) = lower('file.{{ manifest_file }}')
    ),

    load_modes as (
        select
            loads.load_id,
            loads.source_file,
            coalesce(manifests.mode, 'bulk') as mode,
            row_number() over (
                partition by loads.load_id
                order by abs({{ dbt.datediff('loads.loaded_at', 'manifests.loaded_at', 'millisecond') }}),
                    manifests.loaded_at desc
            ) as manifest_rank
        from loads
        left join manifests
            on loads.folder = manifests.folder
            and manifests.loaded_at <= {{ dbt.dateadd('minute', 10, 'loads.loaded_at') }}
    ),

    last_bulk as (
        select source_file, max(load_id) as load_id
        from load_modes
        where manifest_rank = 1 and mode = 'bulk'
        group by source_file
    ),

    in_effect as (
        select
            load_modes.load_id,
            load_modes.source_file,
            count(*) over (partition by load_modes.source_file) as n_loads
        from load_modes
        left join last_bulk on load_modes.source_file = last_bulk.source_file
        where load_modes.manifest_rank = 1
            and load_modes.mode in ('bulk', 'delta')
            and (last_bulk.load_id is null or load_modes.load_id >= last_bulk.load_id)
    ),

    delivered as (
        select r.*
        from {{ relation }} as r
        inner join in_effect
            on r._source_file = in_effect.source_file and r._load_id = in_effect.load_id
    ){% if key %},

    {#- Only a file with several loads in effect (a bulk and its deltas) is compared by key: the
        usual single bulk load skips the grouping (1.5 s at 1.2 M enrollments). #}
    latest as (
        select
            {{ clean_text('"' ~ key ~ '"') }} as _key,
            max(_load_id) as _load_id
        from delivered
        where {{ clean_text('"' ~ key ~ '"') }} is not null
            and _source_file in (select source_file from in_effect where n_loads > 1)
        group by 1
    )

    select delivered.*
    from delivered
    left join latest
        on {{ clean_text('delivered."' ~ key ~ '"') }} = latest._key
    where latest._key is null or delivered._load_id = latest._load_id
    {%- else %}

    select * from delivered
    {%- endif %}
)
{%- endmacro %}

{# The folder (or zip) a landed file was delivered in: its landing path without the file name. #}
{% macro delivery_folder(path) -%}
    regexp_replace({{ path }}, '[^/]*$', '')
{%- endmacro %}

{# A user's ID as the district setting names its field: `sourcedId`, `identifier`, `username`,
   or `userIds:<type>` for the entry `{<type>:<id>}` of the userIds list (OneRoster 1.1/1.2:
   `{type:identifier}` pairs separated by commas, e.g. `{district:123456},{state:0099}`; the
   type is matched without case). #}
{% macro oneroster_user_id(setting, alias='raw') -%}
    {%- set setting = setting | string | trim -%}
    {%- if setting.lower().startswith('userids:') -%}
        {{ userids_entry(alias ~ '."userIds"', setting.split(':', 1)[1] | trim) }}
    {%- else -%}
        {#- sourcedId, identifier or username (settings/sis.py admits no other column) -#}
        {{ clean_text(alias ~ '."' ~ setting ~ '"') }}
    {%- endif -%}
{%- endmacro %}

{% macro userids_entry(expr, id_type) -%}
    {{ return(adapter.dispatch('userids_entry', 'districtwide')(expr, id_type)) }}
{%- endmacro %}
{% macro duckdb__userids_entry(expr, id_type) -%}
    nullif(trim(regexp_extract({{ expr }}, '\{\s*{{ id_type }}\s*:\s*([^}]*)\}', 1, 'i')), '')
{%- endmacro %}
{% macro default__userids_entry(expr, id_type) -%}
    nullif(trim(substring({{ expr }} from '(?i)\{\s*{{ id_type }}\s*:\s*([^}]*)\}')), '')
{%- endmacro %}

{# The rules every OneRoster base model shares: key_rules, and a status the specification knows
   (`active`, `tobedeleted`; `inactive` from OneRoster 1.0 exports; empty in many bulk files). #}
{% macro oneroster_rules(id_column) -%}
    {{ return(key_rules(id_column, 'sourcedId') + [
        ["record_status not in ('active', 'tobedeleted', 'inactive')", 'status', 'unknown status'],
    ]) }}
{%- endmacro %}

{# A OneRoster row's status, typed: NULL (a bulk file's empty status) is active. #}
{% macro oneroster_status(alias='raw') -%}
    lower({{ clean_text(alias ~ '."status"') }}) as record_status
{%- endmacro %}

{# A staging model's rows: the clean ones the SIS has not deleted (status tobedeleted). #}
{% macro oneroster_current() -%}
    _quarantine_reason is null and coalesce(record_status, 'active') <> 'tobedeleted'
{%- endmacro %}

{# Entry `n` of a users' userIds list (`{district:123},{state:99}`) as 'district:123' ('' past
   the last entry): the text between the (n-1)th and nth '}', without ',' and '{'. #}
{% macro userids_entry_text(n) -%}
    replace(replace({{ dbt.split_part('user_ids', "'}'", n) }}, ',', ''), '{', '')
{%- endmacro %}
