{# The person-record ID of an assessment row: the ID as delivered plus names and birth date. #}
{% macro assessment_person_id(id_column, last_name, first_name, birth_date) -%}
    {{ surrogate_key([id_column, 'lower(' ~ last_name ~ ')', 'lower(' ~ first_name ~ ')', birth_date]) }}
{%- endmacro %}

{# The person-record ID of a benchmark row: both IDs as delivered, names and birth date. #}
{% macro benchmark_person_id() -%}
    {{ surrogate_key(['state_id', 'local_id', 'lower(last_name)', 'lower(first_name)', 'birth_date']) }}
{%- endmacro %}
