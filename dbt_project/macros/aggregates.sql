{# The end every aggregate mart shares, written once: its cells keyed and small cells suppressed.

   `relation` holds one row per cell. Renders a complete `select` (a CTE body): a surrogate key
   `key_name` of `key_columns`, the identity `columns`, the `value_columns` passed through and the
   `derived` ones ([name, expression] pairs computed on the cell, e.g. a rate), then
   suppress_small_cells over them (macros/suppression.sql): output columns `key_name`, `columns`,
   `value_columns`, the derived names, is_suppressed, suppression_reason. #}
{% macro keyed_and_suppressed(relation, key_name, key_columns, columns, value_columns, partition_by, tiebreak='subgroup_value', derived=[]) -%}
    {%- set items = [surrogate_key(key_columns) ~ ' as ' ~ key_name] + columns + value_columns -%}
    {%- for name, expression in derived -%}
        {%- do items.append(expression ~ ' as ' ~ name) -%}
    {%- endfor -%}
    {%- set keyed -%}
    (
        select
            {{ items | join(',\n            ') }}
        from {{ relation }}
    )
    {%- endset -%}
    {{ suppress_small_cells(
        keyed,
        columns=[key_name] + columns,
        value_columns=value_columns + derived | map('first') | list,
        partition_by=partition_by,
        n_column='n_students',
        tiebreak=tiebreak,
    ) }}
{%- endmacro %}

{# The student's subgroup attributes (macros/subgroups.sql) as columns of `relation`, for the rows
   subgroup_cells splits: race_ethnicity, sex, is_english_learner, ... #}
{% macro subgroup_attributes(relation) -%}
    {%- for subgroup, expression in student_subgroups() if subgroup != 'all_students' %}
        {{ relation }}.{{ subgroup }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{# The growth aggregates' figures over the rows of `relation` (fct_student_growth): students
   tested in both windows and their mean fall RIT, spring RIT and change. #}
{% macro growth_means(relation) -%}
    count(*) as n_students,
    avg(cast({{ relation }}.fall_rit as double precision)) as mean_fall_rit,
    avg(cast({{ relation }}.spring_rit as double precision)) as mean_spring_rit,
    avg(cast({{ relation }}.rit_change_fall_to_spring as double precision)) as mean_rit_change_fall_to_spring
{%- endmacro %}

{% macro growth_values() -%}
    {{ return(['n_students', 'mean_fall_rit', 'mean_spring_rit', 'mean_rit_change_fall_to_spring']) }}
{%- endmacro %}
