{#- aimswebPlus names no window for a progress-monitoring probe: `N/A` is no window. -#}
{%- set window_text = "case when upper(trim(raw.\"Window\")) not in ('N/A', 'NA') then raw.\"Window\" end" -%}
{#- Star and FastBridge write NA or N/A where a result has no level. -#}
{%- set level_text = "case when upper(trim(raw.\"PerformanceLevel\")) not in ('NA', 'N/A') then raw.\"PerformanceLevel\" end" -%}
{%- set percentile_text = "regexp_replace(trim(raw.\"Percentile\"), '^[<>] *', '')" -%}
{%- set columns = ['Assessment', 'SchoolYear', 'Window', 'TestDate', 'DistrictName', 'SchoolCode', 'SchoolName', 'LocalID', 'StateID', 'LastName', 'FirstName', 'BirthDate', 'Grade', 'Subject', 'Measure', 'ScaleScore', 'Percentile', 'PerformanceLevel', 'Proficient', 'NotTestedCode'] -%}
-- Benchmark and language tests from every benchmark layout (i-Ready, Star, DIBELS, FastBridge,
-- ACCESS), one row per measure. Star's dates are ISO timestamps and are read by their date part;
-- ACCESS and FastBridge have no school year, which is then the one the test date falls in (July to
-- June). A school year is read as state files write it (`2023-2024`, Star Enterprise's `2020-2021
-- School Year`, `2023 - 2024`).
with raw as (
    select * from {{ latest_loads(source('raw_assessment', 'benchmark_results'), 'assessment__benchmark_results', copies_of=columns) }}
),

grades as (
    select * from {{ ref('grade_levels') }} where {{ code_key('source') }} = 'BENCHMARK'
),

subjects as (
    select * from {{ ref('academic_subjects') }} where {{ code_key('source') }} = 'BENCHMARK'
),

-- An export holding several tests names each row's test (Star Enterprise's Activity Type): the
-- seed gives it the assessment name and subject code of the test's own export.
activity_types as (
    select * from {{ ref('benchmark_activity_types') }}
),

-- A composite delivered as a measure of its own (aimswebPlus's battery score): the headline.
composites as (
    select * from {{ ref('benchmark_composite_measures') }}
),

windows as (
    select * from {{ ref('assessment_windows') }}
),

-- A window by its name (before any " (dates)"): the seed's name itself, else the one season
-- whose name is a word of it (a seed name marked whole_name only as the whole name). Star's
-- screening windows are named by each district ("1st - 2nd Grades EOY Screening Window", "BOY
-- Kindergarten Early Literacy"); a name with no season word ("Window 1", "PreTest") or with two
-- seasons stays unmapped.
window_names as (
    select
        names.window_key,
        case when count(distinct windows.season) = 1 then min(windows.season) end as season,
        case when count(distinct windows.season) = 1 then min(windows.term_order) end as term_order
    from (
        select distinct trim({{ dbt.split_part('"Window"', "' ('", 1) }}) as window_key
        from raw
        where "Window" is not null
    ) as names
    inner join windows
        on upper(names.window_key) = upper(windows.local_code)
        or (
            not windows.whole_name
            and ' ' || upper(names.window_key) || ' ' like '% ' || upper(windows.local_code) || ' %'
        )
    group by names.window_key
),

-- The school through the district's school crosswalk (source system 'benchmark'), by the file's
-- school code (a state ID: i-Ready's School State ID, Star's SchoolStateID) or else its name.
schools_by_code as (
    {{ resolve_schools('benchmark', 'raw', 'SchoolCode') }}
),

schools_by_name as (
    {{ resolve_schools('benchmark', 'raw', 'SchoolName') }}
),

typed as (
    select
        raw._load_id,
        raw._source_file,
        raw._line_number,
        coalesce(activity_types.assessment_name, {{ clean_text('raw."Assessment"') }}) as assessment_name,
        {{ clean_text(window_text) }} as window_name,
        windows.season as _named_season,
        windows.term_order as _named_term_order,
        {{ safe_date('left(trim(raw."TestDate"), 10)') }} as test_date,
        {{ school_year('raw."SchoolYear"') }} as _year_named,
        {{ clean_text('raw."DistrictName"') }} as district_name,
        {{ clean_text('raw."SchoolCode"') }} as school_code,
        {{ clean_text('raw."SchoolName"') }} as school_name,
        coalesce(schools_by_code.school_id, schools_by_name.school_id) as school_id,
        case
            when schools_by_code.school_id is not null then schools_by_code.school_match
            when schools_by_name.school_id is not null then schools_by_name.school_match
            else coalesce(schools_by_name.school_match, schools_by_code.school_match)
        end as school_match,
        -- The value the school was matched by (or, unmatched, the one a crosswalk row needs).
        case
            when schools_by_code.school_id is not null or schools_by_name.vendor_value is null
                then schools_by_code.vendor_value
            else schools_by_name.vendor_value
        end as school_vendor_value,
        {{ clean_text('raw."LocalID"') }} as local_id,
        {{ clean_text('raw."StateID"') }} as state_id,
        {{ clean_text('raw."LastName"') }} as last_name,
        {{ clean_text('raw."FirstName"') }} as first_name,
        {{ safe_date('left(trim(raw."BirthDate"), 10)') }} as birth_date,
        grades.grade_level,
        grades.grade_number,
        coalesce(activity_types.subject_code, {{ clean_text('raw."Subject"') }}) as subject_code,
        subjects.academic_subject,
        case
            when composites.composite_measure is not null then 'Overall'
            else coalesce({{ clean_text('raw."Measure"') }}, 'Overall')
        end as measure,
        {{ safe_numeric("nullif(upper(trim(raw.\"ScaleScore\")), 'NA')") }} as scale_score,
        {{ clean_text("nullif(upper(trim(raw.\"ScaleScore\")), 'NA')") }} is not null as _score_given,
        -- FastBridge writes some percentiles through a float (`44.9999999`): the nearest whole
        -- percentile rank, as every other vendor reports it.
        -- Acadience writes the ends of its national percentiles as `<1` and `>99`.
        cast(round({{ safe_numeric(percentile_text) }}) as integer) as percentile,
        {{ clean_text(level_text) }} is not null as _level_given,
        {{ clean_text(level_text) }} as performance_level,
        case
            when upper({{ clean_text('raw."Proficient"') }}) in ('YES', 'Y', 'TRUE', '1') then true
            when upper({{ clean_text('raw."Proficient"') }}) in ('NO', 'N', 'FALSE', '0') then false
        end as is_proficient,
        -- Star writes NA where no state benchmark applies, as for scores and levels.
        {{ clean_text("nullif(upper(trim(raw.\"Proficient\")), 'NA')") }} is not null as _proficient_given,
        {{ clean_text('raw."NotTestedCode"') }} as not_tested_code,
        {{ clean_text('raw."BirthDate"') }} is null as _birth_missing,
        {{ clean_text(window_text) }} is null as _window_missing,
        -- The result's natural key (macro newest_delivery_wins, with the school year): the
        -- student as delivered, assessment, window, subject, measure and test date.
        {{ delivered_student(['raw."LocalID"', 'raw."StateID"'], 'raw."LastName"', 'raw."FirstName"', 'raw."BirthDate"') }} as _key_student,
        lower(coalesce(activity_types.assessment_name, {{ clean_text('raw."Assessment"') }})) as _key_assessment,
        coalesce(windows.season, {{ clean_text('raw."Window"') }}) as _key_window,
        coalesce(subjects.academic_subject, activity_types.subject_code, {{ clean_text('raw."Subject"') }}) as _key_subject,
        raw._copy_number,
        {{ raw_record(columns) }} as _raw_record
    from raw
    left join grades
        on {{ code_key(benchmark_grade_code('raw."Grade"')) }} = {{ code_key('grades.local_code') }}
    left join activity_types
        on {{ code_key('raw."Assessment"') }} = {{ code_key('activity_types.activity_type') }}
    left join composites
        on {{ code_key('raw."Assessment"') }} = {{ code_key('composites.assessment_name') }}
        and {{ code_key('raw."Measure"') }} = {{ code_key('composites.composite_measure') }}
    left join subjects
        on {{ code_key('coalesce(activity_types.subject_code, raw."Subject")') }} = {{ code_key('subjects.local_code') }}
    left join window_names as windows
        on trim({{ dbt.split_part('raw."Window"', "' ('", 1) }}) = windows.window_key
    left join schools_by_code on {{ clean_text('raw."SchoolCode"') }} = schools_by_code.vendor_value
    left join schools_by_name on {{ clean_text('raw."SchoolName"') }} = schools_by_name.vendor_value
),

-- A row that names no window (most i-Ready Diagnostic Results exports have no Norming Window
-- column: 3 of ~70 real files of 2019-2025 did) takes the window its test date falls in, for an
-- assessment whose windows are fixed dates (seed assessment_window_dates: i-Ready's national
-- norming windows). Other assessments' rows without a window keep none (a Star test outside a
-- screening window); a window that is named and unmapped stays unmapped (quarantined below).
window_dates as (
    select * from {{ ref('assessment_window_dates') }}
),

seasons_by_date as (
    select
        typed.*,
        window_dates.season as _date_season,
        window_dates.term_order as _date_term_order
    from typed
    left join window_dates
        on typed._window_missing
        and lower(typed.assessment_name) = lower(window_dates.assessment_name)
        and (
            (
                window_dates.start_month_day <= window_dates.end_month_day
                and {{ month_day('typed.test_date') }} between window_dates.start_month_day and window_dates.end_month_day
            )
            or (
                window_dates.start_month_day > window_dates.end_month_day
                and (
                    {{ month_day('typed.test_date') }} >= window_dates.start_month_day
                    or {{ month_day('typed.test_date') }} <= window_dates.end_month_day
                )
            )
        )
),

dated as (
    select
        *,
        coalesce(_named_season, _date_season) as season,
        coalesce(_named_term_order, _date_term_order) as term_order,
        coalesce(
            _year_named,
            case
                when test_date is null then null
                when extract(month from test_date) >= 7 then cast(extract(year from test_date) as integer) + 1
                else cast(extract(year from test_date) as integer)
            end
        ) as school_year
    from seasons_by_date
),

delivered as (
    {{ newest_delivery_wins('dated', ['_key_student', '_key_assessment', 'school_year', '_key_window', '_key_subject', 'measure', 'test_date']) }}
),

checked as (
    select
        *,
        {{ quarantine_rules([
            ['_copy_number > 1', '*', 'duplicate row'],
        ] + delivery_rules() + [
            ['test_date is null', 'TestDate', 'malformed or missing test date'],
            ['school_year is null', 'SchoolYear', 'malformed school year'],
            ['season is null and not _window_missing', 'Window', 'unmapped testing window'],
            ['grade_level is null', 'Grade', 'unmapped grade code'],
            ['academic_subject is null', 'Subject', 'unmapped subject'],
            ['scale_score is null and _score_given', 'ScaleScore', 'malformed scale score'],
            ['scale_score is null and not _level_given and not_tested_code is null', 'ScaleScore', 'no score, level or not-tested code'],
            ['percentile is not null and percentile not between 1 and 99', 'Percentile', 'percentile outside 1-99'],
            ['is_proficient is null and _proficient_given', 'Proficient', 'proficient flag not yes or no'],
            ['birth_date is null and not _birth_missing', 'BirthDate', 'malformed date'],
            ['school_id is null and school_vendor_value is not null', 'SchoolName', 'school not in the school crosswalk'],
        ]) }}
    from delivered
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
