{# Small-cell suppression for aggregate marts meant for wide audiences (docs/architecture.md, Metrics).

   Renders a complete `select` over `relation` (a CTE or ref) whose rows are cells: one row per
   group and subgroup value, with the number of students in `n_column`.

   - Primary suppression: a cell of fewer than var('min_cell_size', 10) students.
   - Complementary suppression: when exactly one cell of a group (the rows sharing
     `partition_by`, e.g. the race/ethnicity cells of one school and year) is suppressed, the
     group's next-smallest cell is suppressed too, so the first cannot be recovered by subtracting
     the others from the all-students row. Ties on n go to the first `tiebreak` value.
   - A suppressed cell keeps its keys; every column of `value_columns` (rates, counts, n itself
     when listed) becomes NULL, `is_suppressed` is true and `suppression_reason` says why
     ('small cell' or 'complementary'). Decisions use the true n before it is hidden.

   Output columns, in order: `columns` (passed through), `value_columns`, is_suppressed,
   suppression_reason. Window functions only: the same SQL runs on DuckDB and PostgreSQL. #}
{% macro suppress_small_cells(relation, columns, value_columns, partition_by, n_column='n_students', tiebreak='subgroup_value') -%}
    {%- set min_n = var('min_cell_size', 10) | int -%}
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        {%- for column in value_columns %}
        case when _is_suppressed then null else {{ column }} end as {{ column }},
        {%- endfor %}
        _is_suppressed as is_suppressed,
        case
            when _is_primary then 'small cell'
            when _is_suppressed then 'complementary'
        end as suppression_reason
    from (
        select
            ranked.*,
            _is_primary
            or (_n_primary_in_group = 1 and not _is_primary and _rank_unsuppressed = 1) as _is_suppressed
        from (
            select
                cells.*,
                sum(case when _is_primary then 1 else 0 end) over (
                    partition by {{ partition_by | join(', ') }}
                ) as _n_primary_in_group,
                row_number() over (
                    partition by {{ partition_by | join(', ') }}
                    order by case when _is_primary then 1 else 0 end, {{ n_column }}, {{ tiebreak }}
                ) as _rank_unsuppressed
            from (
                select
                    source_cells.*,
                    coalesce({{ n_column }}, 0) < {{ min_n }} as _is_primary
                from {{ relation }} as source_cells
            ) as cells
        ) as ranked
    ) as suppressed
{%- endmacro %}

{# A suppressed cell's words for a dashboard: 'suppressed (small cell)' or 'suppressed
   (complementary)', 'shown' otherwise, so a hidden figure never reads as zero. #}
{% macro cell_status(relation) -%}
    case when {{ relation }}.is_suppressed then 'suppressed (' || {{ relation }}.suppression_reason || ')' else 'shown' end
{%- endmacro %}
