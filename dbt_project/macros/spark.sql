{#- Apache Spark's forms of the dispatched macros (profiles.yml, target `spark`): the same values as
    DuckDB's, written in Spark SQL. The profile reads string literals as written
    (spark.sql.parser.escapedStringLiterals), so the regular expressions are DuckDB's, run by
    Java's engine instead of RE2: the patterns here use only what both read alike. -#}

{% macro spark__safe_int(expr) -%}
    case when regexp_like(trim({{ expr }}), '^[+-]?[0-9]{1,9}([.]0+)?$')
        then cast(split_part(trim({{ expr }}), '.', 1) as integer) end
{%- endmacro %}

{% macro spark__safe_numeric(expr) -%}
    try_cast(trim({{ expr }}) as decimal(12, 3))
{%- endmacro %}

{#- Month and day of one or two digits, as DuckDB's %m and %d read them. -#}
{% macro spark__safe_date(expr, format) -%}
    {%- if format == 'us' -%}
    cast(try_to_timestamp(trim({{ expr }}), 'M/d/yyyy') as date)
    {%- else -%}
    cast(try_to_timestamp(trim({{ expr }}), 'yyyy-M-d') as date)
    {%- endif -%}
{%- endmacro %}

{#- DuckDB's key (md5_number >> 65): md5_number reads the digest's 16 bytes as a little-endian
    128-bit integer, so its top 64 bits are the digest's last 8 bytes, last byte first; shifted
    right once more they fit a signed bigint. The same bits here, so keys are equal on both. -#}
{% macro spark__surrogate_key(parts) -%}
    shiftrightunsigned(cast(conv(
        {%- set h -%}md5(concat_ws('|'{% for part in parts %}, coalesce(cast({{ part }} as string), '~'){% endfor %})){%- endset -%}
        concat({% for i in range(15, 7, -1) %}substr({{ h }}, {{ i * 2 + 1 }}, 2){% if not loop.last %}, {% endif %}{% endfor %}),
        16, -10) as bigint), 1)
{%- endmacro %}

{% macro spark__school_year(expr) -%}
    {{ school_year_by_regex(expr, 'regexp_like') }}
{%- endmacro %}

{#- Spark has no strip_accents: the accented letters of the default's list, then letters only. -#}
{% macro spark__normalize_name(expr) -%}
    {{ default__normalize_name(expr) }}
{%- endmacro %}

{% macro spark__userids_entry(expr, id_type) -%}
    nullif(trim(regexp_extract({{ expr }}, '(?i)\{\s*{{ id_type }}\s*:\s*([^}]*)\}', 1)), '')
{%- endmacro %}

{#- Spark has no `* replace`: every row keeps its text, as on the default (staging only). -#}
{% macro spark__select_keeping_raw_record_if_quarantined(cte) -%}
select * from {{ cte }}
{%- endmacro %}

{#- A hash to group candidate repeats; Spark's xxhash64 skips NULLs, and equal hashes are
    compared column by column anyway (macros/raw_loads.sql). -#}
{% macro spark__row_hash(columns, alias) -%}
    xxhash64({% for c in columns %}{% if alias %}{{ alias }}.{% endif %}"{{ c }}"{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{#- `as not materialized` (a CTE DuckDB must not hold whole) on DuckDB; nothing elsewhere. -#}
{% macro cte_not_materialized() -%}
    {{ return(adapter.dispatch('cte_not_materialized', 'districtwide')()) }}
{%- endmacro %}
{% macro default__cte_not_materialized() -%}{%- endmacro %}
{% macro duckdb__cte_not_materialized() -%}not materialized{%- endmacro %}

{#- Each model's SQL as Spark reads it, outside string literals and comments: the models quote
    identifiers as standard SQL and DuckDB do ("sourcedId"), but dbt-spark runs Spark without ANSI
    mode (it sets spark.sql.ansi.enabled=false on every statement), where double quotes make a
    string, so they become backticks; `double precision` is Spark's `double`; a named window
    (`over w`) is written `over (w)`, which both read, as Spark reads `over w - x` as one name.
    regexp_replace: DuckDB's replaces the first match unless given 'g', Spark's every match and
    its fourth argument is a position, so the 'g' goes (the models pass it wherever a pattern can
    match twice); a group in the replacement is `\1` to DuckDB, `$1` to Java. -#}
{% macro spark_sql(sql) -%}
    {%- set re = modules.re -%}
    {%- set sql = re.sub(",\\s*'g'\\s*\\)", ")", sql) -%}
    {%- set parts = re.split("('(?:[^']|'')*'|--[^\\n]*|/\\*.*?\\*/)", sql, flags=re.S) -%}
    {%- set out = [] -%}
    {%- for part in parts -%}
        {%- if loop.index0 % 2 == 1 -%}
            {%- do out.append(re.sub('^(\'.*)\\\\([0-9])', '\\1$\\2', part) if part.startswith("'") else part) -%}
        {%- else -%}
            {%- set part = re.sub('"([^"`]+)"', '`\\1`', part) -%}
            {%- set part = re.sub('(?i)\\bdouble\\s+precision\\b', 'double', part) -%}
            {%- set part = re.sub('(?i)\\bover\\s+([a-z_][a-z0-9_]*)\\b', 'over (\\1)', part) -%}
            {%- do out.append(part) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(out | join('')) -}}
{%- endmacro %}

{% macro spark__create_table_as(temporary, relation, compiled_code, language='sql') -%}
    {{ return(dbt.spark__create_table_as(temporary, relation, spark_sql(compiled_code), language)) }}
{%- endmacro %}

{% macro spark__create_view_as(relation, sql) -%}
    {{ return(dbt.spark__create_view_as(relation, spark_sql(sql))) }}
{%- endmacro %}

{#- The reporting views' contracts name DuckDB's types (hugeint sums, varchar): on Spark their
    columns are checked by tests/integration/test_spark_target.py against DuckDB's instead. -#}
{% macro spark__get_assert_columns_equivalent(sql) -%}{%- endmacro %}

{#- On Spark the raw Parquet folders become external tables named as the sources (raw_sis.users),
    with the columns of each folder's files together (its _schema.parquet's and any delivered
    file's, as DuckDB's union_by_name reads them): Spark skips files whose name starts with `_`,
    so an empty raw table would have no schema. The columns come from Python
    (districtwide/spark.py, DISTRICTWIDE_SPARK_RAW_COLUMNS: path under raw/ → column list). -#}
{% macro spark_raw_tables() -%}
    {%- if execute and target.type == 'spark' -%}
    {%- set columns = fromjson(env_var('DISTRICTWIDE_SPARK_RAW_COLUMNS', '{}')) -%}
    {%- set raw = env_var('DISTRICTWIDE_HOME') ~ '/raw/' -%}
    {%- set schemas = [] -%}
    {%- for node in graph.sources.values() -%}
        {%- set location = node.meta.get('external_location') or node.source_meta.get('external_location') -%}
        {%- if location -%}
            {%- set path = location.split("'")[1] | replace('{name}', node.identifier) -%}
            {%- set key = path[raw | length:] -%}
            {%- if key not in columns -%}
                {{ exceptions.raise_compiler_error('no raw files at ' ~ path ~ ' (districtwide/spark.py reads them)') }}
            {%- endif -%}
            {%- if node.schema not in schemas -%}
                {%- do run_query('create schema if not exists ' ~ node.schema) -%}
                {%- do schemas.append(node.schema) -%}
            {%- endif -%}
            {%- set folder = path[:-('/*.parquet' | length)] if path.endswith('/*.parquet') else path -%}
            {%- do run_query('drop table if exists ' ~ node.schema ~ '.' ~ node.identifier) -%}
            {%- do run_query('create table ' ~ node.schema ~ '.' ~ node.identifier ~ ' (' ~ columns[key] ~ ") using parquet location '" ~ folder ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- A build on Spark is always whole (districtwide/spark.py passes --full-refresh): the
    per-student and per-month merges of an attendance increment are DuckDB's optimisation, and
    Spark's Parquet tables cannot delete rows. dbt-spark checks the strategy even then, and knows
    no delete+insert: the incremental models build as a whole table either way. -#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) -%}
    {{ return('append' if raw_strategy == 'delete+insert' else raw_strategy) }}
{%- endmacro %}

{#- dbt-spark's split_part splits on a regular expression built with a backslash, which the
    profile's literal strings keep doubled; Spark's own split_part (a literal delimiter, '' past
    the last part) is DuckDB's. -#}
{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}

{#- dbt-spark's listagg ignores the order; ordered by the measure itself (the only order the
    models ask for), the collected list is sorted instead. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if order_by_clause and order_by_clause | trim | lower != 'order by ' ~ measure | lower -%}
        {{ exceptions.raise_compiler_error('listagg on Spark orders by the measure only, not: ' ~ order_by_clause) }}
    {%- endif -%}
    {%- set collected = 'array_sort(collect_list(' ~ measure ~ '))' if order_by_clause else 'collect_list(' ~ measure ~ ')' -%}
    array_join({{ 'slice(' ~ collected ~ ', 1, ' ~ limit_num ~ ')' if limit_num else collected }}, {{ delimiter_text }})
{%- endmacro %}

{#- DuckDB's jaro_winkler_similarity, which Spark lacks, in Spark's higher-order functions (so it
    runs in SQL on a cluster too): Jaro's matches within the window max(len)/2 - 1, each
    character of `a` taking the first unused equal one of `b`; transpositions from the matched
    characters in order (half their mismatches, rounded down); the Winkler boost of 0.1 per common prefix character (up to 4) above a
    Jaro of 0.7. Equal to DuckDB's on 5,697 name pairs (typos of common names and every pair
    of them, 2026-12-06); the identity marts compared in tests/integration/test_spark_target.py
    depend on it. -#}
{% macro spark__name_similarity(a, b) -%}
    {#- Lambda variables are named jw_*: a plain `s` or `p` would hide the model's aliases. -#}
    {%- set la = 'length(' ~ a ~ ')' -%}
    {%- set lb = 'length(' ~ b ~ ')' -%}
    {%- set window = 'greatest(greatest(' ~ la ~ ', ' ~ lb ~ ') div 2 - 1, 0)' -%}
    {%- set found -%}
        array_position(transform(sequence(0, {{ lb }} - 1), jw_j -> jw_j between jw_i - {{ window }} and jw_i + {{ window }}
            and not jw_acc.used[jw_j] and substr({{ b }}, jw_j + 1, 1) = substr({{ a }}, jw_i + 1, 1)), true)
    {%- endset -%}
    {%- set prefix_mismatch -%}
        array_position(transform(sequence(1, least(4, {{ la }}, {{ lb }})), jw_p -> substr({{ a }}, jw_p, 1) <> substr({{ b }}, jw_p, 1)), true)
    {%- endset -%}
    case when {{ la }} = 0 or {{ lb }} = 0 then cast(0 as double) else
    transform(array(aggregate(
        sequence(0, {{ la }} - 1),
        named_struct('used', array_repeat(false, {{ lb }}), 'ia', cast(array() as array<int>)),
        (jw_acc, jw_i) -> named_struct(
            'used', transform(jw_acc.used, (jw_u, jw_k) -> jw_u or jw_k = {{ found }} - 1),
            'ia', if({{ found }} > 0, concat(jw_acc.ia, array(jw_i)), jw_acc.ia)
        )
    )), jw_r -> transform(array(
        case when size(jw_r.ia) = 0 then cast(0 as double) else (
            size(jw_r.ia) / {{ la }} + size(jw_r.ia) / {{ lb }}
            + (size(jw_r.ia) - size(filter(zip_with(
                transform(jw_r.ia, jw_i -> substr({{ a }}, jw_i + 1, 1)),
                filter(transform(sequence(0, {{ lb }} - 1), jw_j -> if(jw_r.used[jw_j], substr({{ b }}, jw_j + 1, 1), null)), jw_c -> jw_c is not null),
                (jw_x, jw_y) -> jw_x <> jw_y), jw_t -> jw_t)) div 2) / size(jw_r.ia)
        ) / 3 end
    ), jw_s -> if(jw_s > 0.7,
        jw_s + (case when {{ prefix_mismatch }} = 0 then least(4, {{ la }}, {{ lb }}) else {{ prefix_mismatch }} - 1 end) * 0.1 * (1 - jw_s),
        jw_s))[0])[0]
    end
{%- endmacro %}
