{# Rows of a raw table from the latest committed load of each delivered file name.
   A file re-delivered under its name replaces the earlier one (a new SIS snapshot);
   other names add to it (one state test file per year). "Committed" = has a loaded audit row.
   With `copies_of` (the delivered columns), each row also gets `_copy_number`: 1 for the first
   (or only) occurrence of its exact content in its file, 2, 3, ... for later exact copies.
   With `manifest_file` (a OneRoster file's manifest name, e.g. 'users'), the manifest of each
   delivery decides instead: the last bulk load plus the delta loads after it, each `key` row as
   its latest delivery has it (macros/oneroster.sql). #}
{% macro latest_loads(relation, raw_table, copies_of=none, manifest_file=none, key=none) -%}
{%- if copies_of is none and manifest_file is not none -%}
{{ oneroster_loads(relation, raw_table, manifest_file, key) }}
{%- elif copies_of is none -%}
(
    select r.*
    from {{ relation }} as r
    inner join (
        select
            loads.source_file,
            loads.load_id
        from (
            select
                source_file,
                max(load_id) as load_id,
                {{ increment_of('source_file') }} as increment_of
            from {{ source('raw_audit', 'file_loads') }}
            where raw_table = '{{ raw_table }}' and status = 'loaded'
            group by source_file
        ) as loads
        {#- An increment (a database feed's rows added or changed since its last whole load,
            connectors/databases/feeds.py) counts on top of the latest whole load of its name
            only: a newer whole load holds its rows already. #}
        where loads.increment_of is null or loads.load_id > (
            select max(whole.load_id)
            from {{ source('raw_audit', 'file_loads') }} as whole
            where whole.raw_table = '{{ raw_table }}' and whole.status = 'loaded'
                and whole.source_file = loads.increment_of
        )
    ) as latest
        on r._source_file = latest.source_file and r._load_id = latest.load_id
)
{%- else -%}
(
    {#- Grouping on a hash of the row finds the few candidates for a repeat, and only those are
        numbered, on the exact columns (a hash collision is numbered apart, never merged): a
        window over every row, or grouping by every text column, cost seconds at 1.5 M rows.
        The raw rows are read again rather than materialized: a Parquet scan is the cheaper. -#}
    with loaded as {{ cte_not_materialized() }} {{ latest_loads(relation, raw_table, manifest_file=manifest_file, key=key) }},

    {#- The file is hashed with the row: grouping on one integer is cheaper than on file and hash. -#}
    repeated as (
        select {{ row_hash(['_source_file'] + copies_of) }} as _row_hash
        from loaded
        group by 1
        having count(*) > 1
    ),

    copies as (
        select
            loaded._load_id,
            loaded._source_file,
            loaded._line_number,
            {%- for c in copies_of %}
            loaded."{{ c }}",
            {%- endfor %}
            row_number() over (
                partition by loaded._load_id, loaded._source_file{% for c in copies_of %}, loaded."{{ c }}"{% endfor %}
                order by loaded._line_number
            ) as _copy_number
        from loaded
        inner join repeated
            on {{ row_hash(['_source_file'] + copies_of, 'loaded') }} = repeated._row_hash
    )

    select
        loaded.*,
        coalesce(copies._copy_number, 1) as _copy_number
    from loaded
    {#- A wide file's line gives a row per column group: the copy is the row with the same
        content on that line. #}
    left join copies
        on loaded._load_id = copies._load_id
        and loaded._source_file = copies._source_file
        and loaded._line_number = copies._line_number
        {%- for c in copies_of %}
        and loaded."{{ c }}" is not distinct from copies."{{ c }}"
        {%- endfor %}
)
{%- endif -%}
{%- endmacro %}

{# The delivery name an increment `<name> (increment <time>)` adds to, else NULL (a whole load). #}
{% macro increment_of(source_file) -%}
    case
        when position(' (increment ' in {{ source_file }}) > 0
            then substring({{ source_file }}, 1, position(' (increment ' in {{ source_file }}) - 1)
    end
{%- endmacro %}

{# A hash of a row's delivered columns (NULLs included), to group rows cheaply. Not a key: equal
   hashes are compared again column by column. #}
{% macro row_hash(columns, alias=none) -%}
    {{ return(adapter.dispatch('row_hash', 'districtwide')(columns, alias)) }}
{%- endmacro %}
{% macro default__row_hash(columns, alias) -%}
    md5(concat_ws(chr(31){% for c in columns %}, coalesce({% if alias %}{{ alias }}.{% endif %}"{{ c }}", chr(30)){% endfor %}))
{%- endmacro %}
{% macro duckdb__row_hash(columns, alias) -%}
    hash({% for c in columns %}{% if alias %}{{ alias }}.{% endif %}"{{ c }}"{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{# The delivered bytes a load read, for a key that a later load of the same bytes gives again:
   a load id is `<when>-<sha256[:12]>` (connectors.landing.new_load_id), and only its time
   differs between two loads of one file (a rerun after a killed run, a rebuilt data folder). #}
{% macro delivery_hash(load_id) -%}
{{ dbt.split_part(load_id, "'-'", 2) }}
{%- endmacro %}

{# The attendance increments this build merges (connectors/increments.py), as a SQL list; a
   never-matching NULL when there are none. From the environment, not a dbt var: new load ids
   in `--vars` made every incremental build parse the whole project again (dbt parses anew when
   its vars change); a changed environment variable re-parses only the files that read it. #}
{% macro attendance_new_loads() -%}
    {%- set loads = env_var('DISTRICTWIDE_ATTENDANCE_NEW_LOADS', '') | trim -%}
    {%- if loads == '' -%}null{%- else -%}
    {%- for load in loads.split(',') %}'{{ load | trim | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    {%- endif -%}
{%- endmacro %}

{# The dates the attendance increments of this build touch: their rows' and those of the rows
   they supersede (any row with a key they carry). #}
{% macro attendance_increment_dates() -%}
    select distinct touched.attendance_date
    from {{ ref('base_attendance__exceptions') }} as touched
    where touched.attendance_date is not null and touched._line_number in (
        select increment._line_number
        from {{ ref('base_attendance__exceptions') }} as increment
        where increment._load_id in ({{ attendance_new_loads() }})
    )
{%- endmacro %}

{# The calendar months the attendance increments of this build touch (first days, as dates): a
   month mart's rows of those months are built again, every other month's stay. #}
{% macro attendance_increment_months() -%}
    select distinct cast({{ dbt.date_trunc('month', 'touched_dates.attendance_date') }} as date)
    from ({{ attendance_increment_dates() }}) as touched_dates
{%- endmacro %}

{# The students the attendance increments of this build touch (int_attendance_increment_students):
   a student-level mart's rows of these students are built again, every other student's stay. #}
{% macro attendance_increment_students() -%}
    select student_key from {{ ref('int_attendance_increment_students') }}
{%- endmacro %}
