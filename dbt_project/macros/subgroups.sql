{# The reporting subgroups (docs/architecture.md, Metrics): one cell per group and subgroup value.

   Renders a `union all` of one `select ... group by` per subgroup over `relation`, which must
   carry the student's race_ethnicity, sex, is_english_learner, has_disability, is_low_income and
   grade_level. Each cell gets `group_by`, subgroup (the dim_student column it splits on, or
   'all_students') and subgroup_value (readable: 'All students', 'Asian', 'English learner', ...),
   then the `aggregates` ("expression as name" strings). Positional group by: DuckDB and
   PostgreSQL both accept it.

   `linked` (a boolean column of `relation`) is for rows that may belong to no known student (a
   school's state results, linked or not): the subgroups that are the student's own
   (student_attribute_subgroups) count only rows where it holds; 'all_students' and
   'grade_level' (the grade on the row) count every row. #}
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

{% macro student_attribute_subgroups() -%}
    {{ return(['race_ethnicity', 'sex', 'is_english_learner', 'has_disability', 'is_low_income']) }}
{%- endmacro %}

{% macro subgroup_cells(relation, group_by, aggregates, linked=none) -%}
    {%- for subgroup, expression in student_subgroups() %}
    select
        {%- for column in group_by %}
        {{ column }},
        {%- endfor %}
        '{{ subgroup }}' as subgroup,
        {{ expression }} as subgroup_value,
        {{ aggregates | join(',\n        ') }}
    from {{ relation }}
    {%- if linked and subgroup in student_attribute_subgroups() %}
    where {{ linked }}
    {%- endif %}
    group by {{ range(1, group_by | length + 3) | join(', ') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{# The date `month_day` ('MM-DD', checked by settings/metrics.py) in the calendar year of
   `date_expr` plus `years_after`: where a school year's "as of" date falls. #}
{% macro month_day_in_year(date_expr, month_day, years_after) -%}
    cast(cast(cast(extract(year from {{ date_expr }}) as integer) + {{ years_after }} as {{ dbt.type_string() }}) || '-{{ month_day }}' as date)
{%- endmacro %}

{# A subgroup's kind in words for a dashboard's filter: 'All students', 'Program' (English
   learners, students with disabilities, low income: the side a gap is read for), 'Not in program'
   (their complements, whose gap is the same one mirrored), 'Race/ethnicity', 'Sex', 'Grade'. #}
{% macro subgroup_kind(relation) -%}
    case
        when {{ relation }}.subgroup = 'all_students' then 'All students'
        when {{ relation }}.subgroup in ('is_english_learner', 'has_disability', 'is_low_income')
            then case
                when {{ relation }}.subgroup_value in ('English learner', 'Students with disabilities', 'Low income')
                    then 'Program'
                else 'Not in program'
            end
        when {{ relation }}.subgroup = 'race_ethnicity' then 'Race/ethnicity'
        when {{ relation }}.subgroup = 'sex' then 'Sex'
        else 'Grade'
    end
{%- endmacro %}

{# A cohort's name: its grade and the school year it was in that grade ('Third grade of 2024'). #}
{% macro cohort_name(relation) -%}
    {{ relation }}.cohort_grade_level || ' of ' || cast({{ relation }}.cohort_year as {{ dbt.type_string() }})
{%- endmacro %}
