{# Rows of a raw table from the latest committed load of each delivered file name.
   A file re-delivered under its name replaces the earlier one (a new SIS snapshot);
   other names add to it (one state test file per year). "Committed" = has a loaded audit row. #}
{% macro latest_loads(relation, raw_table) -%}
(
    select r.*
    from {{ relation }} as r
    inner join (
        select source_file, max(load_id) as load_id
        from {{ source('raw_audit', 'file_loads') }}
        where raw_table = '{{ raw_table }}' and status = 'loaded'
        group by source_file
    ) as latest
        on r._source_file = latest.source_file and r._load_id = latest.load_id
)
{%- endmacro %}
