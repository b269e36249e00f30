{# The reporting subgroups (docs/architecture.md, Metrics): one cell per group and subgroup value.

   Renders a `union all` of one `select ... group by` per subgroup over `relation`, which must
   carry the student's race_ethnicity, sex, is_english_learner, has_disability, is_low_income and
   grade_level. Each cell gets `group_by`, subgroup (the dim_student column it splits on, or
   'all_students') and subgroup_value (readable: 'All students', 'Asian', 'English learner', ...),
   then the `aggregates` ("expression as name" strings). Positional group by: DuckDB and
   PostgreSQL both accept it. #}
{% macro student_subgroups() -%}
    {{ return([
        ('all_students', "'All students'"),
        ('race_ethnicity', "coalesce(race_ethnicity, 'Not Reported')"),
        ('sex', "coalesce(sex, 'Not Reported')"),
        ('is_english_learner', "case when is_english_learner then 'English learner' else 'Not an English learner' end"),
        ('has_disability', "case when has_disability then 'Students with disabilities' else 'Students without disabilities' end"),
        ('is_low_income', "case when is_low_income then 'Low income' else 'Not low income' end"),
        ('grade_level', "coalesce(grade_level, 'Not Reported')"),
    ]) }}
{%- endmacro %}

{% macro subgroup_cells(relation, group_by, aggregates) -%}
    {%- for subgroup, expression in student_subgroups() %}
    select
        {%- for column in group_by %}
        {{ column }},
        {%- endfor %}
        '{{ subgroup }}' as subgroup,
        {{ expression }} as subgroup_value,
        {{ aggregates | join(',\n        ') }}
    from {{ relation }}
    group by {{ range(1, group_by | length + 3) | join(', ') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
