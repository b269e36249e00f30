{#- Incremental: a build after attendance increments only (connectors/increments.py) types the
    increments' rows and the earlier versions of the rows they replace (re-flagged superseded);
    every other build is a full refresh. #}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['_load_id', '_line_number'],
    pre_hook="{{ delete_replaced_loads(latest_loads(source('raw_attendance', 'exceptions'), 'attendance__exceptions')) }}",
) }}
{%- set columns = ['StuNum', 'SchoolCode', 'AbsenceDate', 'AttCode', 'Minutes', 'Comment', 'PresenceStatus', 'AttMode'] -%}
{#- The row's school year, its partition (macros/school_years.sql): a year build reads that
    year's rows only. -#}
{%- set row_year = school_year_of_date(safe_date('"AbsenceDate"')) -%}
{%- set in_effect = latest_loads(source('raw_attendance', 'exceptions'), 'attendance__exceptions') -%}
{%- set built_years_rows = '(select * from ' ~ source('raw_attendance', 'exceptions') ~ ' where ' ~ in_built_school_years(row_year, loads=in_effect) ~ ')' -%}
with loaded as (
    select * from {{ latest_loads(built_years_rows, 'attendance__exceptions', copies_of=columns) }}
),

-- The same rows without the exact-copy check, the key columns read alone (`delivery_keys`).
-- `loaded` is then read once, by `raw` into `typed`: read by the school lookup and the
-- newest-delivery check too, DuckDB held it whole and spilled (three years, 4.4 M rows: 0.3 GB
-- spilled, 10.8 s of CPU against 5.7 s, the same rows).
key_rows as {{ cte_not_materialized() }} (
    select * from {{ latest_loads(built_years_rows, 'attendance__exceptions') }}
),

-- Every school code delivered (of every load and year: a lookup's extra codes match no row),
-- by the export's own column name, quoted as in `typed`.
delivered_school_codes as (
    select "SchoolCode" from {{ source('raw_attendance', 'exceptions') }}  -- noqa: RF06
),

-- Every year's loads, their keys only: a pull's earlier version may be of another year.
every_year as {{ cte_not_materialized() }} (
    select _load_id, _source_file, _line_number
    from {{ in_effect }}
),

-- A row pulled again by a database increment (same delivery, same key in the source: its
-- `_line_number`) replaces its earlier versions, which are quarantined as superseded.
pulled_again as (
    select distinct increments._line_number
    from every_year as increments
    where {{ increment_of('increments._source_file') }} is not null
),

replaced as (
    select
        coalesce({{ increment_of('versions._source_file') }}, versions._source_file) as _delivery,
        versions._line_number,
        max(versions._load_id) as _newest_load
    from every_year as versions
    inner join pulled_again on versions._line_number = pulled_again._line_number
    group by 1, 2
    having count(*) > 1
),

-- `raw` and `typed` are read more than once (the school lookup; the newest-delivery check)
-- but not materialized: DuckDB would hold them whole (~260 and ~470 MB at 1.5 M rows), which
-- with the other staging models building beside this one spilled to disk. Computed where read,
-- the model peaks at 731 MB instead of 1,250 MB, for no more CPU.
raw as {{ cte_not_materialized() }} (
    select
        loaded.*,
        coalesce(loaded._load_id < replaced._newest_load, false) as _replaced
    from loaded
    left join replaced
        on coalesce({{ increment_of('loaded._source_file') }}, loaded._source_file) = replaced._delivery
        and loaded._line_number = replaced._line_number
    {%- if is_incremental() %}
    where loaded._load_id in ({{ attendance_new_loads() }})
        or replaced._newest_load in ({{ attendance_new_loads() }})
    {%- endif %}
),

codes as (
    select * from {{ ref('attendance_codes') }}
),

schools as (
    {{ resolve_schools('attendance', 'delivered_school_codes', 'SchoolCode') }}
),

typed as {{ cte_not_materialized() }} (
    select
        raw._load_id,
        raw._source_file,
        raw._line_number,
        {{ clean_text('raw."StuNum"') }} as att_student_id,
        {{ clean_text('raw."SchoolCode"') }} as att_school_code,
        schools.school_id,
        schools.school_match,
        {{ safe_date('raw."AbsenceDate"') }} as attendance_date,
        {{ school_year_of_date(safe_date('raw."AbsenceDate"')) }} as _school_year,
        {{ code_key('raw."AttCode"') }} as att_code,
        codes.attendance_event_category,
        codes.category_key,
        codes.is_absent,
        codes.is_excused,
        codes.precedence,
        {{ safe_int('raw."Minutes"') }} as minutes,
        {{ clean_text('raw."Minutes"') }} is null as _minutes_missing,
        -- PowerSchool's own Present/Absent of the code (compared with the crosswalk by the
        -- quality check) and its attendance mode: only daily rows count days.
        case lower({{ clean_text('raw."PresenceStatus"') }})
            when 'absent' then 'absent' when 'present' then 'present'
        end as presence_status,
        {{ clean_text('raw."AttMode"') }} as att_mode,
        raw._copy_number,
        raw._replaced,
        -- One delivery: a file, or a source database's whole pull and its increments.
        coalesce({{ increment_of('raw._source_file') }}, raw._source_file) as _delivery,
        {{ raw_record(columns) }} as _raw_record
    from raw
    left join codes on {{ code_key('raw."AttCode"') }} = {{ code_key('codes.local_code') }}
    left join schools on {{ clean_text('raw."SchoolCode"') }} = schools.vendor_value
),

-- The newest-delivery check's columns, computed as in `typed` but from the key columns alone:
-- the check groups them twice, and `typed` (its code and school joins and regular expressions)
-- is then computed once, for the rows kept. A whole build reads them from `key_rows` (the rows
-- of `raw`: an exact copy, a row of the same load, changes no newest load or delivery); a merge
-- from `raw`, its increments' rows and the versions they replace.
delivery_keys as {{ cte_not_materialized() }} (
    select
        {{ clean_text('raw."StuNum"') }} as att_student_id,
        {{ clean_text('raw."SchoolCode"') }} as att_school_code,
        {{ safe_date('raw."AbsenceDate"') }} as attendance_date,
        raw._load_id,
        coalesce({{ increment_of('raw._source_file') }}, raw._source_file) as _delivery
    from {{ 'raw' if is_incremental() else 'key_rows as raw' }}
),

-- A corrected file sent under another name replaces the earlier delivery's codes of each
-- student, school and day it lists (newest delivery wins; the superseded rows go to quarantine
-- with the reason). Several codes of one day in one file (tardy and early dismissal) all stay.
-- An exceptions file lists no present day: a day a correction leaves out keeps the earlier
-- delivery's code, until that delivery is retracted (`districtwide retract`).
delivered as (
    {{ newest_delivery_wins('typed', ['att_student_id', 'att_school_code', 'attendance_date'], repeats_in_file=false, delivery='_delivery', narrow_by='attendance_date', keys_from='delivery_keys') }}
),

checked as (
    select
        *,
        {{ quarantine_rules([
            ['_replaced', '*', 'superseded by a newer pull'],
            ['_copy_number > 1', '*', 'duplicate row'],
            ['_superseded', '*', 'superseded by a newer delivery'],
            ["att_mode is not null and upper(att_mode) <> 'ATT_MODEDAILY'", 'AttMode', 'period attendance, not daily'],
            ['att_student_id is null', 'StuNum', 'missing student number'],
            ['attendance_date is null', 'AbsenceDate', 'malformed date'],
            ['category_key is null', 'AttCode', 'unmapped attendance code'],
            ['school_id is null', 'SchoolCode', 'school not in the school crosswalk'],
            ['minutes is null and not _minutes_missing', 'Minutes', 'malformed number'],
        ]) }}
    from delivered
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
