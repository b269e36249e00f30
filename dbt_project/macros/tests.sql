{# Generic test: no two rows share the combination of `columns` (grouping, not concatenating,
   so it stays cheap on large tables). #}
{% test unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as n_rows
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{# Generic test: no two rows (told apart by `key`) of the same `partition_by` have overlapping
   [start, end] date ranges, ends inclusive. A self-join within each partition: it costs the
   partition sizes squared, fine for a student's few enrollment spans. #}
{% test no_overlapping_spans(model, key, partition_by, start, end) %}
    select {% for column in partition_by %}a.{{ column }}, {% endfor %}a.{{ start }}, b.{{ start }} as other_{{ start }}
    from {{ model }} as a
    inner join {{ model }} as b
        on {% for column in partition_by %}a.{{ column }} = b.{{ column }} and {% endfor %}a.{{ key }} < b.{{ key }}
        and a.{{ start }} <= b.{{ end }}
        and b.{{ start }} <= a.{{ end }}
{% endtest %}

{# Generic test: no two rows (told apart by `key`) of the same `partition_by` have overlapping
   yearly windows [start, end], given as month*100 + day, ends inclusive. A window whose start
   is after its end runs over New Year: it is the two pieces [start, 1231] and [101, end]. A seed's
   few windows per assessment: the self-join costs nothing. #}
{% test no_overlapping_yearly_windows(model, key, partition_by, start, end) %}
    with pieces as (
        select {% for column in partition_by %}{{ column }}, {% endfor %}{{ key }} as window_key,
            {{ start }} as piece_start,
            case when {{ start }} <= {{ end }} then {{ end }} else 1231 end as piece_end
        from {{ model }}
        union all
        select {% for column in partition_by %}{{ column }}, {% endfor %}{{ key }}, 101, {{ end }}
        from {{ model }}
        where {{ start }} > {{ end }}
    )
    select {% for column in partition_by %}a.{{ column }}, {% endfor %}a.window_key, b.window_key as other_window_key
    from pieces as a
    inner join pieces as b
        on {% for column in partition_by %}a.{{ column }} = b.{{ column }} and {% endfor %}a.window_key < b.window_key
        and a.piece_start <= b.piece_end
        and b.piece_start <= a.piece_end
{% endtest %}

{# Generic test: a primary key, unique and never NULL, in one query: one dbt node (and one
   Dagster check) instead of dbt's `unique` and `not_null`, each with a node's fixed cost. #}
{% test primary_key(model, column_name) %}
    select {{ column_name }}, count(*) as n_rows
    from {{ model }}
    group by {{ column_name }}
    having count(*) > 1 or {{ column_name }} is null
{% endtest %}

{# Generic test: no cell of fewer than var('min_cell_size') students (`n_column`) is shown, and no
   suppressed cell keeps a figure of `value_columns`: a small cell shown can identify a child. #}
{% test small_cells_suppressed(model, n_column, value_columns) %}
    select {{ n_column }}, is_suppressed
    from {{ model }}
    where (not is_suppressed and ({{ n_column }} is null or {{ n_column }} < {{ var('min_cell_size', 10) | int }}))
        or (is_suppressed and ({% for column in value_columns %}{{ column }} is not null{% if not loop.last %} or {% endif %}{% endfor %}))
{% endtest %}
