{# Crosswalk keys, normalized one way on both sides of every crosswalk join (and as
   connectors/crosswalks.py compares them when it checks a file for duplicate keys). #}

{# A code: trimmed, runs of white space as one space, upper case (`a ` = `A`). #}
{% macro code_key(expr) -%}
    upper(trim(regexp_replace({{ expr }}, '\s+', ' ', 'g')))
{%- endmacro %}

{# A school code or name: upper case without punctuation, leading zeros off numbers, Elementary /
   Elem / ES as ES, Middle School / Middle / MS as MS, High School / High / HS as HS, a trailing
   School dropped: `Lincoln Elem` = `LINCOLN ELEMENTARY SCHOOL` = `LINCOLN ES`; `0101` = `101`. #}
{% macro school_key(expr) -%}
    trim(
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    regexp_replace(
                        regexp_replace(
                            ' ' || trim(regexp_replace(regexp_replace(
                                replace(replace(upper({{ expr }}), '''', ''), '.', ''),
                                '[^A-Z0-9]', ' ', 'g'), ' +', ' ', 'g')) || ' ',
                            ' 0+([0-9])', ' \1', 'g'),
                        ' (ELEMENTARY SCHOOL|ELEMENTARY|ELEM|ES) ', ' ES ', 'g'),
                    ' (MIDDLE SCHOOL|MIDDLE|MS) ', ' MS ', 'g'),
                ' (HIGH SCHOOL|HIGH|HS) ', ' HS ', 'g'),
            ' SCHOOL $', ' ')
    )
{%- endmacro %}

{# The SIS school of each distinct value of `column` in `relation`, for source system
   `source_system`: the district's confirmed row (crosswalk school_crosswalk) first, else the one
   SIS school whose name, state code or sourcedId has the same school_key (suggested). Columns:
   vendor_value, school_id (NULL when none or several fit), school_match (confirmed, suggested,
   ambiguous, unmatched). One row per value: the crosswalk's keys are unique (checked at load). #}
{% macro resolve_schools(source_system, relation, column) -%}
    select
        v.vendor_value,
        coalesce(
            confirmed.school_sourced_id,
            case when candidates.n_schools = 1 then candidates.school_id end
        ) as school_id,
        case
            when confirmed.school_sourced_id is not null then 'confirmed'
            when candidates.n_schools = 1 then 'suggested'
            when candidates.n_schools > 1 then 'ambiguous'
            else 'unmatched'
        end as school_match
    from (
        select distinct {{ clean_text(relation ~ '."' ~ column ~ '"') }} as vendor_value
        from {{ relation }}
    ) as v
    left join {{ ref('school_crosswalk') }} as confirmed
        on {{ code_key('confirmed.source_system') }} = '{{ source_system | upper }}'
        and {{ school_key('confirmed.vendor_school') }} = {{ school_key('v.vendor_value') }}
    left join {{ ref('school_candidates') }} as candidates
        on {{ school_key('v.vendor_value') }} = candidates.match_key
    where v.vendor_value is not null
{%- endmacro %}
