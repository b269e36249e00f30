{# The person-record ID of an assessment row: the ID as delivered plus names and birth date. #}
{% macro assessment_person_id(id_column, last_name, first_name, birth_date) -%}
    {{ surrogate_key([id_column, 'lower(' ~ last_name ~ ')', 'lower(' ~ first_name ~ ')', birth_date]) }}
{%- endmacro %}

{# The person-record ID of a benchmark row: both IDs as delivered, names and birth date. #}
{% macro benchmark_person_id() -%}
    {{ surrogate_key(['state_id', 'local_id', 'lower(last_name)', 'lower(first_name)', 'birth_date']) }}
{%- endmacro %}

{# Whether a source system's student IDs are matched without their leading zeros (the district
   setting identity.student_id_strip_leading_zeros, as var strip_leading_zero_sources). #}
{% macro strips_leading_zeros(source_column) -%}
    {%- set sources = var('strip_leading_zero_sources', []) -%}
    {%- if sources | length == 0 -%}
    false
    {%- else -%}
    {{ source_column }} in ({% for s in sources %}'{{ s }}'{% if not loop.last %}, {% endif %}{% endfor %})
    {%- endif -%}
{%- endmacro %}

{# An ID without its leading zeros (an ID of zeros only is no ID). #}
{% macro without_leading_zeros(column) -%}
    nullif(ltrim({{ column }}, '0'), '')
{%- endmacro %}
