{#- A build of some school years (orchestration/defs/dbt/school_years.py): Dagster's school-year
    partitions of the dbt assets. A model tagged `by_school_year` (dbt_project.yml: its grain
    includes the school year) keeps the rows of every other year as they are and replaces only
    the built years' rows; every other model is built whole, as in a full build (they hold no
    year's rows, or hold every year's in one row), and an incremental one is fully refreshed.
    Without the variable, nothing here changes a build: a full build or an attendance merge
    (connectors/increments.py) as before.
    The years come from the environment, not a dbt var, for the reason `attendance_new_loads`
    gives (a new var value re-parses the whole project); only materializations read it, at run
    time, never a model's SQL, so no parse depends on it. -#}

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

{#- `school_year in (...)` for the built years. -#}
{% macro school_year_filter(column='school_year') -%}
    {{ column }} in ({{ school_years_built() | join(', ') }})
{%- endmacro %}

{#- dbt's own, except in a year build: every model is refreshed whole (it reads every year's
    rows, some rebuilt), but a by_school_year incremental model takes the incremental path, where
    `get_incremental_append_sql` below replaces its years. -#}
{% macro should_full_refresh() %}
    {%- if school_years_built() is not none -%}
        {% do return('by_school_year' not in model.tags) %}
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

{#- The append strategy (every incremental mart's): in a year build of a by_school_year model,
    the built years' rows are deleted and the model's rows of those years inserted; otherwise
    dbt's append. -#}
{% macro get_incremental_append_sql(arg_dict) %}
    {%- if not replaces_school_years() -%}
        {{ return(dbt.get_incremental_append_sql(arg_dict)) }}
    {%- endif -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }} where {{ school_year_filter() }};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }} where {{ school_year_filter() }}
{% endmacro %}
