{# Generic test: no two rows share the combination of `columns` (grouping, not concatenating,
   so it stays cheap on the 18-million-row daily fact). #}
{% test unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as n_rows
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
