-- Grain: one row per student per school per school year per calendar month: that school's
-- enrolled days of the month. Counts exactly what grouping fct_attendance_daily by month would
-- (the same enrollment × instructional-day join, the same exception days), without joining the
-- exceptions to 17.6 M derived days first: enrolled days are counted from the join, absences from
-- the 1.5 M exception days, and the two meet per student-month. The school-year rows and the
-- monthly aggregates add these rows up.
with enrollment as (
    select * from {{ ref('fct_enrollment') }}
),

school_days as (
    select * from {{ ref('dim_calendar') }}
    where is_instructional
),

exceptions as (
    select * from {{ ref('fct_attendance_exception_day') }}
),

enrolled as (
    select
        enrollment.student_key,
        enrollment.school_key,
        enrollment.school_year,
        cast({{ dbt.date_trunc('month', 'school_days.calendar_date') }} as date) as calendar_month,
        min(school_days.calendar_date) as first_day_enrolled,
        max(school_days.calendar_date) as last_day_enrolled,
        count(*) as n_days_enrolled
    from enrollment
    inner join school_days
        on enrollment.school_key = school_days.school_key
        and school_days.calendar_date between enrollment.entry_date and enrollment.exit_date
    group by 1, 2, 3, 4
),

absences as (
    select
        student_key,
        school_key,
        school_year,
        cast({{ dbt.date_trunc('month', 'calendar_date') }} as date) as calendar_month,
        sum(case when is_absent then 1 else 0 end) as n_days_absent,
        sum(case when is_excused_absence then 1 else 0 end) as n_days_absent_excused,
        sum(case when is_unexcused_absence then 1 else 0 end) as n_days_absent_unexcused,
        sum(case when attendance_category = 'out_of_school_suspension' then 1 else 0 end) as n_days_out_of_school_suspension
    from exceptions
    group by 1, 2, 3, 4
)

select
    {{ surrogate_key(['enrolled.student_key', 'enrolled.school_key', 'enrolled.school_year', 'enrolled.calendar_month']) }} as student_attendance_month_key,
    enrolled.student_key,
    enrolled.school_key,
    enrolled.school_year,
    enrolled.calendar_month,
    enrolled.first_day_enrolled,
    enrolled.last_day_enrolled,
    enrolled.n_days_enrolled,
    enrolled.n_days_enrolled - coalesce(absences.n_days_absent, 0) as n_days_present,
    coalesce(absences.n_days_absent, 0) as n_days_absent,
    coalesce(absences.n_days_absent_excused, 0) as n_days_absent_excused,
    coalesce(absences.n_days_absent_unexcused, 0) as n_days_absent_unexcused,
    coalesce(absences.n_days_out_of_school_suspension, 0) as n_days_out_of_school_suspension
from enrolled
left join absences
    on enrolled.student_key = absences.student_key
    and enrolled.school_key = absences.school_key
    and enrolled.school_year = absences.school_year
    and enrolled.calendar_month = absences.calendar_month
