{# Newest delivery wins: the rows of `relation` (a CTE of a base model, with `_load_id` and
   `_line_number`) with two flags, by the natural key `key` (column names of `relation`):
   - `_superseded`: a newer delivery (a later load, of any file name) has a row with the same key.
     A corrected file sent under a new name (`state_2026_corrected.csv` beside `state_2026.csv`)
     replaces the earlier file's results instead of adding to them. Delivery order is the load's:
     `_load_id` starts with the landing time, and files landed in one run land in name order.
   - `_repeated_in_file`: an earlier line of the same load has the same key (a file that lists a
     result twice with different values; exact copies are `_copy_number > 1`).
   A base model turns both into quarantine reasons, so raw rows = staged + quarantined still holds
   and the steward can see which delivery replaced which row.
   Only keys delivered more than once are ranked: the one grouping over every row is the cost.
   With `repeats_in_file` false (attendance exceptions: a day's tardy and early dismissal are two
   rows of one key in one file), only keys of more than one delivery are looked at, and no row is
   flagged `_repeated_in_file`: every row of the newest delivery of a key stays. There `delivery`
   (a column of `relation`) names what one delivery is when it is not one load: a source
   database's pulls (its whole load and the increments after it) are one delivery, whose rows
   never supersede each other (a code added to a day by a later pull joins the earlier one).
   `narrow_by` (one key column, few values: the date) groups only the rows whose value of it is
   in more than one delivery, or empty (a malformed date is a key value too): no other key can
   have two. A year's exceptions in one file then
   group nothing (the grouping over 1.5 M rows was 2.5 s of the model's 10.5 s of CPU).
   `keys_from`: a lighter relation of the same rows holding the key, `_load_id`, `_line_number`,
   `delivery` and `narrow_by` columns, computed as in `relation`, from which the newest delivery
   (and a file's repeats) of each key is found. Its maximum, arg-max, minimum and distinct values
   are those of `relation` as long as it holds the same rows, even where `relation`'s left joins
   repeat some (a key's row count may differ then, but a line repeated by a join is its own first
   line and never flagged): attendance exceptions read their raw rows there instead of typing
   them (code and school joins, regular expressions) twice more, 1.5 M rows each time; MAP
   results their key columns, where DuckDB otherwise held the typed rows to read them twice and
   spilled them.
   With `repeats_in_file`, the keys are first grouped by their hash (`row_hash`, one number):
   only the rows of a hash seen twice are grouped by the key's columns (MAP's three years, 1.4 M
   results: 10.2 s of the model's CPU to 8.6 s, the same rows). #}
{% macro newest_delivery_wins(relation, key, repeats_in_file=true, delivery=none, narrow_by=none, keys_from=none) -%}
    {%- set keys = key | join(', ') -%}
    {%- set on_key -%}
        {% for k in key %}r.{{ k }} is not distinct from c.{{ k }}{% if not loop.last %} and {% endif %}{% endfor %}
    {%- endset -%}
    {%- if not repeats_in_file %}
    {%- set of = delivery or '_load_id' %}
    {%- set keyed = keys_from or relation %}
    select
        r.*,
        coalesce(r._load_id < c._newest_load and r.{{ of }} <> c._newest_delivery, false)
            as _superseded,
        false as _repeated_in_file
    from {{ relation }} as r
    left join (
        select {{ keys }}, max(_load_id) as _newest_load, max_by({{ of }}, _load_id) as _newest_delivery
        from {{ keyed }}
        {%- if narrow_by %}
        where {{ narrow_by }} is null or {{ narrow_by }} in (
            select {{ narrow_by }}
            from (select distinct {{ narrow_by }}, {{ of }} from {{ keyed }}) as delivered_values
            group by {{ narrow_by }}
            having count(*) > 1
        )
        {%- endif %}
        group by {{ keys }}
        having min({{ of }}) < max({{ of }})
    ) as c
        on {{ on_key }}
    {%- else %}
    select
        r.*,
        coalesce(r._load_id < c._newest_load, false) as _superseded,
        coalesce(r._load_id = c._newest_load and r._line_number > c._first_line, false) as _repeated_in_file
    from {{ relation }} as r
    left join (
        select
            d.*,
            min(d._line_number) over (partition by {% for k in key %}d.{{ k }}, {% endfor %}d._load_id) as _first_line
        from (
            select distinct
                {% for k in key %}r.{{ k }},
                {% endfor %}r._load_id,
                r._line_number,
                repeated._newest_load
            from {{ keys_from or relation }} as r
            inner join (
                select {{ keys }}, max(_load_id) as _newest_load
                from {{ keys_from or relation }}
                where {{ row_hash(key) }} in (
                    select {{ row_hash(key) }}
                    from {{ keys_from or relation }}
                    group by 1
                    having count(*) > 1
                )
                group by {{ keys }}
                having count(*) > 1
            ) as repeated
                on {% for k in key %}r.{{ k }} is not distinct from repeated.{{ k }}{% if not loop.last %} and {% endif %}{% endfor %}
        ) as d
    ) as c
        on {{ on_key }}
        and r._load_id = c._load_id
        and r._line_number = c._line_number
    {%- endif %}
{%- endmacro %}

{# The quarantine rules of a result's natural key (after the exact-copy rule). #}
{% macro delivery_rules() -%}
    {{ return([
        ['_superseded', '*', 'superseded by a newer delivery'],
        ['_repeated_in_file', '*', 'result repeated in its file with other values'],
    ]) }}
{%- endmacro %}

{# The student of a result as delivered, for its natural key: the first ID given (the state's or
   the district's) with the birth date, else the names with the birth date. The birth date keeps
   apart two children delivered under one ID (a mistyped ID is often another child's); names are
   left out, so a corrected file that fixes a misspelt name still replaces the earlier row. #}
{% macro delivered_student(ids, last_name, first_name, birth_date) -%}
    coalesce(
        {% for id in ids %}{{ clean_text(id) }} || '|' || coalesce({{ clean_text(birth_date) }}, ''),
        {% endfor %}lower({{ clean_text(last_name) }}) || '|' || lower({{ clean_text(first_name) }})
        || '|' || {{ clean_text(birth_date) }}
    )
{%- endmacro %}
