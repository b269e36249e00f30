{# Row-level rules of a staging model. `rules` is a list of [condition, column, reason]; the first
   rule that holds names the row's quarantine reason and the offending column. #}
{% macro quarantine_rules(rules) -%}
    case
    {%- for rule in rules %}
        when {{ rule[0] }} then '{{ rule[2] }}'
    {%- endfor %}
    end as _quarantine_reason,
    case
    {%- for rule in rules %}
        when {{ rule[0] }} then '{{ rule[1] }}'
    {%- endfor %}
    end as _quarantine_column
{%- endmacro %}

{# The delivered row as text, so a quarantined row keeps its content. #}
{% macro raw_record(columns) -%}
    concat_ws(','{% for c in columns %}, coalesce("{{ c }}", ''){% endfor %})
{%- endmacro %}

{# A base model's final select: the rows of `cte` (typed, with their quarantine reason) with the
   delivered row as text (`_raw_record`) kept on quarantined rows only, NULL on clean ones. Only
   quarantine reads it, and writing it for every clean row cost ~0.8 s of CPU at 1.5 M attendance
   exceptions. #}
{% macro select_keeping_raw_record_if_quarantined(cte) -%}
    {{ return(adapter.dispatch('select_keeping_raw_record_if_quarantined', 'districtwide')(cte)) }}
{%- endmacro %}
{% macro duckdb__select_keeping_raw_record_if_quarantined(cte) -%}
select * replace (
    case when _quarantine_reason is not null then _raw_record end as _raw_record
)
from {{ cte }}
{%- endmacro %}
{# PostgreSQL has no `* replace`: there every row keeps its text (more to store, same quarantine). #}
{% macro default__select_keeping_raw_record_if_quarantined(cte) -%}
select * from {{ cte }}
{%- endmacro %}

{# Quarantine rows of one raw table: what the CSV parser rejected and what staging rules failed. #}
{# With `manifest_file` (OneRoster), the parse rejects of the loads in effect (macros/oneroster.sql). #}
{% macro quarantined_rows(source_name, raw_table, entity, base_model, manifest_file=none) -%}
    select
        '{{ source_name }}' as source_system,
        '{{ entity }}' as entity,
        rejects._load_id as load_id,
        rejects._source_file as source_file,
        rejects._line_number as line_number,
        'parse' as stage,
        'unreadable line: ' || lower(rejects._error_type) as reason,
        rejects._column as column_name,
        replace(replace(rejects._raw_line, chr(13), ''), chr(10), '') as raw_record
    from {{ latest_loads(source('raw_' ~ source_name, entity ~ '__rejects'), raw_table, manifest_file=manifest_file) }} as rejects
    union all
    select
        '{{ source_name }}' as source_system,
        '{{ entity }}' as entity,
        _load_id as load_id,
        _source_file as source_file,
        _line_number as line_number,
        'staging' as stage,
        _quarantine_reason as reason,
        _quarantine_column as column_name,
        _raw_record as raw_record
    from {{ ref(base_model) }}
    where _quarantine_reason is not null
{%- endmacro %}

{# The lineage and duplicate markers every base model carries: load, file and line; the copy
   number of an exact duplicate (numbered by latest_loads(..., copies_of=columns), which `raw`
   must come from); with `key` (a delivered ID column), the number of the row among those sharing
   that ID; and the delivered row as text (the model's final select keeps it for quarantined rows
   only, with select_keeping_raw_record_if_quarantined). #}
{% macro row_lineage(columns, key=none) -%}
    raw._load_id,
        raw._source_file,
        raw._line_number,
        raw._copy_number,
        {%- if key %}
        row_number() over (
            partition by {{ clean_text('raw."' ~ key ~ '"') }} order by raw._line_number
        ) as _key_number,
        {%- endif %}
        {{ raw_record(columns) }} as _raw_record
{%- endmacro %}

{# The rules every keyed source row shares: an exact copy, a missing ID, an ID used twice. #}
{% macro key_rules(id_column, key) -%}
    {{ return([
        ['_copy_number > 1', '*', 'duplicate row'],
        [id_column ~ ' is null', key, 'missing ' ~ key],
        ['_key_number > 1', key, key ~ ' repeated with different values'],
    ]) }}
{%- endmacro %}
