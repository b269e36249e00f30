-- Grain: one row per student per school per school year: that school's enrolled days only. A
-- student who transferred mid-year has one row at each school (the district-wide count is in
-- fct_student_attendance_year).
with daily as (
    select * from {{ ref('fct_attendance_daily') }}
),

days_per_school as (
    select
        student_key,
        school_key,
        school_year,
        min(calendar_date) as first_day_enrolled,
        max(calendar_date) as last_day_enrolled,
        count(*) as n_days_enrolled,
        sum(case when is_absent then 0 else 1 end) as n_days_present,
        sum(case when is_absent then 1 else 0 end) as n_days_absent,
        sum(case when is_excused_absence then 1 else 0 end) as n_days_absent_excused,
        sum(case when is_unexcused_absence then 1 else 0 end) as n_days_absent_unexcused,
        sum(case when attendance_category = 'out_of_school_suspension' then 1 else 0 end) as n_days_out_of_school_suspension
    from daily
    group by 1, 2, 3
)

select
    {{ surrogate_key(['student_key', 'school_key', 'school_year']) }} as student_attendance_school_year_key,
    student_key,
    school_key,
    school_year,
    first_day_enrolled,
    last_day_enrolled,
    n_days_enrolled,
    n_days_present,
    n_days_absent,
    n_days_absent_excused,
    n_days_absent_unexcused,
    n_days_out_of_school_suspension,
    {{ ratio('n_days_present', 'n_days_enrolled') }} as attendance_rate,
    {{ ratio('n_days_absent', 'n_days_enrolled') }} as absence_rate,
    {{ meets_chronic_absence_min_days('n_days_enrolled') }} as meets_min_days_enrolled,
    {{ is_chronically_absent('n_days_absent', 'n_days_enrolled') }} as is_chronically_absent
from days_per_school
