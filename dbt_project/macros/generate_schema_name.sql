{# Schemas are named for their layer (staging, intermediate, marts, quarantine, audit), not
   prefixed with the target schema: readers and dashboards address them by these names. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
