-- Grain: one row per SIS student and school year: the program subgroups (English learner,
-- students with disabilities, low income, 504 plan) the student counts in that year. Which
-- program spans count is the district setting `program_subgroup_rule` (settings/metrics.py):
-- 'any_day' (the default, as most federal reporting counts: a program open on any day of the
-- school year) or 'as_of' (open on the date `program_subgroup_as_of` of each school year:
-- 'MM-DD', or 'last_day' for the year's last day). A flag extract (one yes/no column per
-- program) has no dates: it holds as delivered, in every year.
-- (settings/metrics.py validates both; any rule but 'as_of' is read as 'any_day'.)
{%- set as_of = var('program_subgroup_as_of', 'last_day') if var('program_subgroup_rule', 'any_day') == 'as_of' else none -%}
{%- if as_of is none -%}
    {%- set window_start, window_end = 'start_date', 'end_date' -%}
{%- elif as_of == 'last_day' -%}
    {%- set window_start, window_end = 'end_date', 'end_date' -%}
{%- else -%}
    {#- `as_of` (month and day) in the calendar year the school year starts in, else in the next:
        the first such date on or after the year's first day. -#}
    {%- set this_year = month_day_in_year('start_date', as_of, 0) -%}
    {%- set as_of_date = 'case when ' ~ this_year ~ ' >= start_date then ' ~ this_year ~ ' else ' ~ month_day_in_year('start_date', as_of, 1) ~ ' end' -%}
    {%- set window_start, window_end = as_of_date, as_of_date -%}
{%- endif %}
with students as (
    select * from {{ ref('int_sis_students') }}
),

programs as (
    select * from {{ ref('stg_sis__programs') }}
    where is_participating
),

school_years as (
    select
        school_year,
        min(start_date) as start_date,
        max(end_date) as end_date
    from {{ ref('int_school_years') }}
    where session_type = 'schoolyear'
    group by school_year
),

-- The days of the year on which an open program counts: the whole year, or the as-of date.
windows as (
    select
        school_year,
        {{ window_start }} as window_start,
        {{ window_end }} as window_end
    from school_years
),

open_programs as (
    select
        programs.student_id,
        windows.school_year,
        max(case when programs.subgroup_column = 'is_english_learner' then 1 else 0 end) = 1 as is_english_learner,
        max(case when programs.subgroup_column = 'has_disability' then 1 else 0 end) = 1 as has_disability,
        max(case when programs.subgroup_column = 'is_low_income' then 1 else 0 end) = 1 as is_low_income,
        max(case when programs.subgroup_column = 'has_504_plan' then 1 else 0 end) = 1 as has_504_plan
    from programs
    inner join windows
        on (programs.begin_date is null or programs.begin_date <= windows.window_end)
        and (programs.end_date is null or programs.end_date >= windows.window_start)
    group by programs.student_id, windows.school_year
)

select
    students.student_key,
    school_years.school_year,
    coalesce(open_programs.is_english_learner, false) as is_english_learner,
    coalesce(open_programs.has_disability, false) as has_disability,
    coalesce(open_programs.is_low_income, false) as is_low_income,
    coalesce(open_programs.has_504_plan, false) as has_504_plan
from students
cross join school_years
left join open_programs
    on students.local_id = open_programs.student_id
    and school_years.school_year = open_programs.school_year
