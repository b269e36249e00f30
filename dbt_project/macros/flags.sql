{#- A yes/no value as SIS and attendance extracts deliver it (Y/N, Yes/No, 1/0, TRUE/FALSE, T/F, in any
    case) as a boolean; NULL when empty or anything else, so staging can quarantine what it cannot read. -#}
{% macro yes_no_flag(expr) -%}
    case
        when lower(trim({{ expr }})) in ('y', 'yes', '1', 'true', 't') then true
        when lower(trim({{ expr }})) in ('n', 'no', '0', 'false', 'f') then false
    end
{%- endmacro %}
