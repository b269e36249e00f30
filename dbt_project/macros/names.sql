{# Names compared for identity: lower case, accents stripped, only letters kept, so that
   "O'Brien" = "obrien" and "Peña" = "pena". Similarity is used only to propose a review. #}

{% macro normalize_name(expr) -%}
    {{ return(adapter.dispatch('normalize_name', 'districtwide')(expr)) }}
{%- endmacro %}
{% macro default__normalize_name(expr) -%}
    nullif(regexp_replace(lower(translate({{ expr }},
        'ÀÁÂÃÄÅàáâãäåÈÉÊËèéêëÌÍÎÏìíîïÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿÑñÇç',
        'AAAAAAaaaaaaEEEEeeeeIIIIiiiiOOOOOOooooooUUUUuuuuYyyNnCc')), '[^a-z]', '', 'g'), '')
{%- endmacro %}
{% macro duckdb__normalize_name(expr) -%}
    nullif(regexp_replace(lower(strip_accents({{ expr }})), '[^a-z]', '', 'g'), '')
{%- endmacro %}

{% macro name_similarity(a, b) -%}
    {{ return(adapter.dispatch('name_similarity', 'districtwide')(a, b)) }}
{%- endmacro %}
{% macro default__name_similarity(a, b) -%}
    (1.0 - levenshtein({{ a }}, {{ b }})::numeric / greatest(length({{ a }}), length({{ b }}), 1))
{%- endmacro %}
{% macro duckdb__name_similarity(a, b) -%}
    jaro_winkler_similarity({{ a }}, {{ b }})
{%- endmacro %}
