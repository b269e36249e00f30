-- Grain: one row per SIS student and school year: the program subgroups (English learner,
-- students with disabilities, low income, 504 plan) the student counts in that year. Which
-- program spans count is the district setting `program_subgroup_rule` (settings/metrics.py):
-- 'any_day' (the default, as most federal reporting counts: a program open on any day of the
-- school year) or 'as_of' (open on the date `program_subgroup_as_of` of each school year:
-- 'MM-DD', or 'last_day' for the year's last day). A flag extract (one yes/no column per
-- program) has no dates: it holds as delivered, in every year.
{%- set rule = var('program_subgroup_rule', 'any_day') -%}
{%- set as_of = var('program_subgroup_as_of', 'last_day') -%}
{%- if rule not in ('any_day', 'as_of') -%}
    {{ exceptions.raise_compiler_error("var program_subgroup_rule must be 'any_day' or 'as_of', got '" ~ rule ~ "'") }}
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

{%- if rule == 'as_of' and as_of != 'last_day' %}
-- `as_of` (month and day) in the calendar year the school year starts in, else the next one: the
-- first such date on or after the year's first day.
as_of_dates as (
    select
        school_year,
        start_date,
        end_date,
        {{ month_day_in_year('start_date', as_of, 0) }} as in_start_year,
        {{ month_day_in_year('start_date', as_of, 1) }} as in_next_year
    from school_years
),

{% endif -%}
windows as (
    select
        school_year,
        {%- if rule == 'any_day' %}
        start_date as window_start,
        end_date as window_end
        {%- elif as_of == 'last_day' %}
        end_date as window_start,
        end_date as window_end
        {%- else %}
        case when in_start_year >= start_date then in_start_year else in_next_year end as window_start,
        case when in_start_year >= start_date then in_start_year else in_next_year end as window_end
        {%- endif %}
    from {{ 'as_of_dates' if rule == 'as_of' and as_of != 'last_day' else 'school_years' }}
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
