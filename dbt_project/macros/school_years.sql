{#- A build of some school years (orchestration/defs/dbt/school_years.py): Dagster's school-year
    partitions of the dbt assets. A model tagged `by_school_year` keeps the rows of every other
    year as they are and replaces only the built years' rows; every other model is built whole, as
    in a full build (they hold no year's rows, or hold every year's in one row), and an
    incremental one is fully refreshed, unless the build keeps it (its inputs unchanged since the
    last build: connectors/increments.py, `for_school_years`).
    The marts tagged so (dbt_project.yml: their grain includes the school year) compute the
    built years (reading only those years' input rows where every step is within one year) and
    keep those years' rows. The large staging and intermediate models tagged so read only the
    built years' rows (`in_built_school_years` at their raw read), so a year's rebuild costs that
    year, not every year: their partition column (meta `school_year_column`) is the year read from
    the row itself (an attendance date, a term name, a school year field; the SIS school year of
    an enrollment span), and a row whose year cannot be read is in every year's partition,
    rebuilt with each. With the rows of new loads read whole and those of replaced loads deleted
    (`delete_replaced_loads`), each raw row in effect is in exactly one built row
    (raw = staged + quarantined) after any build.
    Without the variable, nothing here changes a build: a full build or an attendance merge
    (connectors/increments.py) as before.
    The years come from the environment, not a dbt var, for the reason `attendance_new_loads`
    gives (a new var value re-parses the whole project); only materializations and `execute`-time
    SQL read it, never a parse, so no parse depends on it. -#}

{#- The school years (ending years) this build replaces, as a list of integers; none: every year. -#}
{% macro school_years_built() -%}
    {%- set named = env_var('DISTRICTWIDE_SCHOOL_YEARS', '') | trim -%}
    {%- if named == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set years = [] -%}
    {%- for year in named.split(',') -%}
        {%- do years.append(year | trim | int) -%}
    {%- endfor -%}
    {{ return(years) }}
{%- endmacro %}

{#- Whether this model replaces only the built years' rows in this build. -#}
{% macro replaces_school_years() -%}
    {{ return(school_years_built() is not none and 'by_school_year' in model.tags) }}
{%- endmacro %}

{#- Whether this model is partitioned by its rows' own year (meta `school_year_column`: the large
    staging and intermediate models), not a mart of school-year grain. -#}
{% macro partitioned_by_row_year() -%}
    {{ return(config.get('meta', {}).get('school_year_column') is not none) }}
{%- endmacro %}

{#- The built years' rows of the model, the rows a year build deletes: `school_year in (...)`;
    with the rows of no readable year where the model is partitioned by its rows' own year. -#}
{% macro school_year_filter() -%}
    {%- set years = school_years_built() | join(', ') -%}
    {%- if partitioned_by_row_year() -%}
    {%- set column = config.get('meta')['school_year_column'] -%}
    ({{ column }} in ({{ years }}) or {{ column }} is null)
    {%- else -%}
    school_year in ({{ years }})
    {%- endif -%}
{%- endmacro %}

{#- The rows a year build inserts from what the model computed: a mart computes every year and
    keeps the built years'; a model partitioned by its rows' own year computed only the rows it
    read (`in_built_school_years`), every one of which it inserts. -#}
{% macro school_year_insert_filter() -%}
    {{ return('true' if partitioned_by_row_year() else school_year_filter()) }}
{%- endmacro %}

{#- A model's read of its input in a year build: only the rows of the built years, and those of
    no readable year (`year_expr`: the row's year as its partition column holds it); `true` in
    every other build, and where the model's table is missing (a year build builds it for every
    year). Rendered at run time only (`execute`).
    `loads`: the loads in effect (a relation or subquery with `_load_id`). Every row of a load in
    effect that the model's table holds no row of (a delivery since its last build, of any year)
    is read too, so that the rows in effect are each in the table once, whatever years a build
    names (raw = staged + quarantined); `delete_replaced_loads` removes the rows of the loads no
    longer in effect. A year such a load holds rows of is reconciled by that year's backfill
    (its marts, and its rows weighed against the other deliveries of that year). -#}
{% macro in_built_school_years(year_expr, loads=none) -%}
    {%- if year_partition_ready() -%}
    {%- set new_loads = load_ids(loads, this) if loads is not none else [] -%}
    ({{ year_expr }} in ({{ school_years_built() | join(', ') }}) or {{ year_expr }} is null
        {%- if new_loads %} or _load_id in ({{ new_loads | join(', ') }}){% endif %})
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{#- A pre-hook of a model partitioned by its rows' own year: in a year build, its rows of loads no
    longer in effect (not in `loads`) are deleted, whatever their year: a file delivered again
    replaces every row of its earlier load. -#}
{% macro delete_replaced_loads(loads) -%}
    {%- if year_partition_ready() -%}
    {%- set replaced = load_ids(this, loads) -%}
    {%- if replaced %}
    delete from {{ this }} where _load_id in ({{ replaced | join(', ') }})
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Whether this build replaces this model's built years in its existing table (at run time): a
    year build, the model tagged, its table there and, for a model partitioned by its rows' own
    year, holding the partition column. A table built before the column existed (a warehouse of
    an earlier version) is built whole instead, for every year (`should_full_refresh`, the table
    materialization), as a missing one is. -#}
{% macro year_partition_ready() -%}
    {%- if not (execute and replaces_school_years()) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set existing = adapter.get_relation(this.database, this.schema, this.identifier) -%}
    {%- if existing is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- if not partitioned_by_row_year() -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set column = config.get('meta')['school_year_column'] | lower -%}
    {{ return(column in (adapter.get_columns_in_relation(existing) | map(attribute='name') | map('lower') | list)) }}
{%- endmacro %}

{#- The `_load_id`s of `relation` that `other` holds no row of, as quoted literals: a few loads
    at most, listed in the SQL rather than an anti-join of every row (0.4-0.8 s at 4.5 M rows). -#}
{% macro load_ids(relation, other) -%}
    {%- set found = run_query(
        'select distinct _load_id from ' ~ relation ~ ' as a where _load_id is not null '
        ~ 'except select distinct _load_id from ' ~ other ~ ' as b order by 1'
    ) -%}
    {%- set ids = [] -%}
    {%- for value in found.columns[0].values() -%}
        {%- do ids.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{ return(ids) }}
{%- endmacro %}

{#- The school year (ending year, July to June) of a date, as the marts name it. -#}
{% macro school_year_of_date(date_expr) -%}
    (cast(extract(year from {{ date_expr }}) as integer) + case when extract(month from {{ date_expr }}) >= 7 then 1 else 0 end)
{%- endmacro %}

{#- dbt's own, except in a year build: every model is refreshed whole (it reads every year's
    rows, some rebuilt), but a by_school_year incremental model takes the incremental path, where
    `get_incremental_append_sql` below replaces its years. -#}
{% macro should_full_refresh() %}
    {%- if school_years_built() is not none -%}
        {% do return(not year_partition_ready()) %}
    {%- endif -%}
    {% do return(dbt.should_full_refresh()) %}
{% endmacro %}

{#- dbt's own, except in a year build: no model merges attendance increments then, so each
    compiles its whole SQL (the year's rows are kept from it by the materialization). -#}
{% macro is_incremental() %}
    {%- if execute and school_years_built() is not none -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(dbt.is_incremental()) }}
{% endmacro %}

{#- In a year build of a by_school_year model: the built years' rows deleted and the model's rows
    of those years inserted (the incremental strategies' own SQL otherwise). -#}
{% macro replace_school_years_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }} where {{ school_year_filter() }};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }} where {{ school_year_insert_filter() }}
{% endmacro %}

{#- The append strategy (every incremental mart's): dbt's, except in a year build. -#}
{% macro get_incremental_append_sql(arg_dict) %}
    {%- if replaces_school_years() -%}
        {{ return(replace_school_years_sql(arg_dict)) }}
    {%- endif -%}
    {{ return(dbt.get_incremental_append_sql(arg_dict)) }}
{% endmacro %}

{#- The delete+insert strategy (the attendance models merging increments): dbt's, except in a
    year build. -#}
{% macro get_incremental_delete_insert_sql(arg_dict) %}
    {%- if replaces_school_years() -%}
        {{ return(replace_school_years_sql(arg_dict)) }}
    {%- endif -%}
    {{ return(dbt.get_incremental_delete_insert_sql(arg_dict)) }}
{% endmacro %}
