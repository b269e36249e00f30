{# Metric helpers shared by the inquiry marts (docs/architecture.md, Metrics). #}

{# A share as a double: numerator / denominator, NULL when the denominator is 0. `double precision`
   is spelled the same in DuckDB and PostgreSQL (integer division would truncate in PostgreSQL). #}
{% macro ratio(numerator, denominator) -%}
    cast({{ numerator }} as double precision) / nullif({{ denominator }}, 0)
{%- endmacro %}

{# Chronically absent: absent on at least var('chronic_absence_threshold') of the enrolled days,
   among students with at least var('chronic_absence_min_days') enrolled days. The threshold is
   rendered as a decimal literal (exact numeric in DuckDB and PostgreSQL), so 3 absences in 30
   days is exactly 10%, not 3 < 3.0000000000000004 as in floating point. #}
{% macro is_chronically_absent(days_absent, days_enrolled) -%}
    ({{ meets_chronic_absence_min_days(days_enrolled) }}
        and {{ days_absent }} >= {{ var('chronic_absence_threshold', 0.10) | float }} * {{ days_enrolled }})
{%- endmacro %}

{# Counted in chronic absence at all: enrolled at least var('chronic_absence_min_days') days. #}
{% macro meets_chronic_absence_min_days(days_enrolled) -%}
    {{ days_enrolled }} >= {{ var('chronic_absence_min_days', 10) | int }}
{%- endmacro %}
