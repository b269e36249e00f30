{# Typing that never fails a build: a value that does not parse becomes NULL, and the staging
   model turns that NULL into a quarantine reason. Dispatched because DuckDB and PostgreSQL differ. #}

{% macro clean_text(expr) -%}
    nullif(trim({{ expr }}), '')
{%- endmacro %}

{% macro safe_int(expr) -%}
    {{ return(adapter.dispatch('safe_int', 'districtwide')(expr)) }}
{%- endmacro %}
{% macro default__safe_int(expr) -%}
    case when trim({{ expr }}) ~ '^[+-]?[0-9]{1,9}([.]0+)?$'
        then cast(split_part(trim({{ expr }}), '.', 1) as integer) end
{%- endmacro %}
{# Digits only, or digits and a zero fraction ('245.0', as exports written through a float column
   carry scores): DuckDB's cast rounds '12.5' to 13 and a layout's integer column must never be a
   silent rounding; '1,234' and '12.5' become NULL and their rows are quarantined. #}
{% macro duckdb__safe_int(expr) -%}
    case when regexp_full_match(trim({{ expr }}), '[+-]?[0-9]{1,9}([.]0+)?')
        then cast(split_part(trim({{ expr }}), '.', 1) as integer) end
{%- endmacro %}

{% macro safe_numeric(expr) -%}
    {{ return(adapter.dispatch('safe_numeric', 'districtwide')(expr)) }}
{%- endmacro %}
{% macro default__safe_numeric(expr) -%}
    case when trim({{ expr }}) ~ '^[+-]?[0-9]+(\.[0-9]+)?$' then cast(trim({{ expr }}) as numeric) end
{%- endmacro %}
{% macro duckdb__safe_numeric(expr) -%}
    try_cast(trim({{ expr }}) as decimal(12, 3))
{%- endmacro %}

{# format: 'iso' (YYYY-MM-DD; landing rewrites every layout's dates so) or 'us' (MM/DD/YYYY) #}
{% macro safe_date(expr, format='iso') -%}
    {{ return(adapter.dispatch('safe_date', 'districtwide')(expr, format)) }}
{%- endmacro %}
{% macro default__safe_date(expr, format) -%}
    {%- if format == 'us' -%}
    case when trim({{ expr }}) ~ '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$'
        and to_char(to_date(trim({{ expr }}), 'MM/DD/YYYY'), 'FMMM/FMDD/YYYY')
            = regexp_replace(trim({{ expr }}), '(^|/)0', '\1', 'g')
        then to_date(trim({{ expr }}), 'MM/DD/YYYY') end
    {%- else -%}
    case when trim({{ expr }}) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
        and to_char(to_date(trim({{ expr }}), 'YYYY-MM-DD'), 'YYYY-MM-DD') = trim({{ expr }})
        then to_date(trim({{ expr }}), 'YYYY-MM-DD') end
    {%- endif -%}
{%- endmacro %}
{% macro duckdb__safe_date(expr, format) -%}
    {%- if format == 'us' -%}
    cast(try_strptime(trim({{ expr }}), '%m/%d/%Y') as date)
    {%- else -%}
    cast(try_strptime(trim({{ expr }}), '%Y-%m-%d') as date)
    {%- endif -%}
{%- endmacro %}

{# Integer surrogate keys: 63 bits of the md5 of the parts. Deterministic (md5, not the engine's
   hash), so a key is the same in every build; 64-bit integers keep the large facts small and
   their joins fast. Values differ between adapters, never within one. #}
{% macro surrogate_key(parts) -%}
    {{ return(adapter.dispatch('surrogate_key', 'districtwide')(parts)) }}
{%- endmacro %}
{% macro key_text(parts) -%}
    {%- for part in parts -%}coalesce(cast({{ part }} as {{ dbt.type_string() }}), '~'){%- if not loop.last %} || '|' || {% endif -%}{%- endfor -%}
{%- endmacro %}
{% macro default__surrogate_key(parts) -%}
    (('x' || substr(md5({{ key_text(parts) }}), 1, 16))::bit(64) >> 1)::bigint
{%- endmacro %}
{# md5_number (the whole digest as a 128-bit integer) shifted to 63 bits: the same md5, at a third
   of md5_number_upper's cost in DuckDB 2.0 (1.5 s for 1 M keys against 0.5 s). #}
{# The key text built by one concat_ws rather than a chain of ||: the same text (no part is NULL
   after the coalesce) at ~25% less CPU per key in DuckDB. #}
{% macro duckdb__surrogate_key(parts) -%}
    cast(md5_number(concat_ws('|'{% for part in parts %}, coalesce(cast({{ part }} as {{ dbt.type_string() }}), '~'){% endfor %})) >> 65 as bigint)
{%- endmacro %}

{# A benchmark vendor's grade as seed grade_levels (source 'benchmark') names it: 'KG', '0' and
   '00' are kindergarten (ACCESS writes 0), 'PREK' and 'P' prekindergarten, '03' is '3'. #}
{% macro benchmark_grade_code(expr) -%}
    case
        when upper(trim({{ expr }})) in ('KG', 'K', '0', '00') then 'K'
        when upper(trim({{ expr }})) in ('PK', 'PREK', 'P') then 'PK'
        else ltrim(trim({{ expr }}), '0')
    end
{%- endmacro %}

{# A school year as the year it ends, from how state files write it: `2026`, `2025-2026`,
   `2025-26`, or inside a label (`PM3 2023-24`, FAST's test reason). Two years must be consecutive
   (`2025-2027` is malformed, NULL). A spring or summer administration named with one year
   (ILEARN's Test Reason `Spring 2022 (ILEARN)`; DRC's TestAdmin `SP24`, `SU24`) is of the school
   year ending that year, a fall one (DRC's `FA23`, Ohio's `Fall2019`) of the school year it
   begins; a winter one is not read (`Winter 2022` may be December or January). Two consecutive
   two-digit years, each perhaps after an apostrophe (aimswebPlus's `'22-'23`, `21-22`), name the
   school year ending in the second of this century. Anything else is NULL and its row
   quarantined. #}
{#- The school year of a MAP term name, by its ending year: 'Fall 2024-2025' → 2025. -#}
{% macro map_term_school_year(term_name) -%}
    {{ safe_int(dbt.split_part(dbt.split_part(term_name, "' '", 2), "'-'", 2)) }}
{%- endmacro %}

{% macro school_year(expr) -%}
    {{ return(adapter.dispatch('school_year', 'districtwide')(expr)) }}
{%- endmacro %}
{% macro default__school_year(expr) -%}
    {%- set pair = "regexp_match(" ~ expr ~ ", '(^|[^0-9])([0-9]{4}) ?[-/] ?([0-9]{4}|[0-9]{2})($|[^0-9])')" -%}
    case
        when trim({{ expr }}) ~ '^[0-9]{4}$' then cast(trim({{ expr }}) as integer)
        when {{ pair }} is not null
            and cast(({{ pair }})[3] as integer) % 100 = (cast(({{ pair }})[2] as integer) + 1) % 100
            then cast(({{ pair }})[2] as integer) + 1
        when {{ pair }} is null and {{ expr }} ~* '(^|[^a-z])(spring|summer) ?[0-9]{4}($|[^0-9])'
            then cast(substring({{ expr }} from '(?i)(?:spring|summer) ?([0-9]{4})') as integer)
        when {{ pair }} is null and {{ expr }} ~* '(^|[^a-z])fall ?[0-9]{4}($|[^0-9])'
            then cast(substring({{ expr }} from '(?i)fall ?([0-9]{4})') as integer) + 1
        when trim({{ expr }}) ~* '^(sp|su)[0-9]{2}$' then 2000 + cast(right(trim({{ expr }}), 2) as integer)
        when trim({{ expr }}) ~* '^fa[0-9]{2}$' then 2001 + cast(right(trim({{ expr }}), 2) as integer)
        when trim({{ expr }}) ~ '^[^0-9]?[0-9]{2} ?- ?[^0-9]?[0-9]{2}$'
            and (cast(substring(trim({{ expr }}) from '^[^0-9]?([0-9]{2})') as integer) + 1) % 100
                = cast(right(trim({{ expr }}), 2) as integer)
            then 2000 + cast(right(trim({{ expr }}), 2) as integer)
    end
{%- endmacro %}
{% macro duckdb__school_year(expr) -%}
    {{ school_year_by_regex(expr, 'regexp_matches') }}
{%- endmacro %}
{#- DuckDB's and Spark's form: the same patterns, `matches` naming the engine's boolean regular
    expression function (both have regexp_extract with a group index). -#}
{% macro school_year_by_regex(expr, matches) -%}
    case
        when {{ matches }}(trim({{ expr }}), '^[0-9]{4}$') then cast(trim({{ expr }}) as integer)
        when {{ matches }}({{ expr }}, '(^|[^0-9])[0-9]{4} ?[-/] ?([0-9]{4}|[0-9]{2})($|[^0-9])')
            and cast(regexp_extract({{ expr }}, '([0-9]{4}) ?[-/] ?([0-9]{4}|[0-9]{2})($|[^0-9])', 2) as integer) % 100
                = (cast(regexp_extract({{ expr }}, '([0-9]{4}) ?[-/] ?([0-9]{4}|[0-9]{2})($|[^0-9])', 1) as integer) + 1) % 100
            then cast(regexp_extract({{ expr }}, '([0-9]{4}) ?[-/] ?([0-9]{4}|[0-9]{2})($|[^0-9])', 1) as integer) + 1
        when not {{ matches }}({{ expr }}, '[0-9]{4} ?[-/] ?[0-9]{2}')
            and {{ matches }}({{ expr }}, '(?i)(^|[^a-z])(spring|summer) ?[0-9]{4}($|[^0-9])')
            then cast(regexp_extract({{ expr }}, '(?i)(spring|summer) ?([0-9]{4})', 2) as integer)
        when not {{ matches }}({{ expr }}, '[0-9]{4} ?[-/] ?[0-9]{2}')
            and {{ matches }}({{ expr }}, '(?i)(^|[^a-z])fall ?[0-9]{4}($|[^0-9])')
            then cast(regexp_extract({{ expr }}, '(?i)fall ?([0-9]{4})', 1) as integer) + 1
        when {{ matches }}(trim({{ expr }}), '(?i)^(sp|su)[0-9]{2}$')
            then 2000 + cast(regexp_extract(trim({{ expr }}), '([0-9]{2})$', 1) as integer)
        when {{ matches }}(trim({{ expr }}), '(?i)^fa[0-9]{2}$')
            then 2001 + cast(regexp_extract(trim({{ expr }}), '([0-9]{2})$', 1) as integer)
        when {{ matches }}(trim({{ expr }}), '^[^0-9]?[0-9]{2} ?- ?[^0-9]?[0-9]{2}$')
            and (cast(regexp_extract(trim({{ expr }}), '^[^0-9]?([0-9]{2})', 1) as integer) + 1) % 100
                = cast(regexp_extract(trim({{ expr }}), '([0-9]{2})$', 1) as integer)
            then 2000 + cast(regexp_extract(trim({{ expr }}), '([0-9]{2})$', 1) as integer)
    end
{%- endmacro %}

{# A date's month and day as one integer (March 2 → 302), for windows given as dates of every
   year (seed assessment_window_dates). #}
{% macro month_day(expr) -%}
    (cast(extract(month from {{ expr }}) as integer) * 100 + cast(extract(day from {{ expr }}) as integer))
{%- endmacro %}
