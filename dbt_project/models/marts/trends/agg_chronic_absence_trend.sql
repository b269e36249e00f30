-- Grain: one row per scope (the district, or one school), school year and subgroup value (plus the
-- all-students row): chronic absence and attendance rate, and the change in percentage points from
-- the year before, for "did chronic absence fall since the plan began?". Each year's students are
-- split by that year's grade and subgroups (dim_student_school_year). School rows are
-- agg_attendance_by_school's; district rows count each student once across the schools of the
-- year (a transfer does not reset the count: fct_student_attendance_year). Small cells suppressed
-- (macros/suppression.sql); a change needs both years shown.
with school_cells as (
    select * from {{ ref('agg_attendance_by_school') }}
),

student_years as (
    select * from {{ ref('fct_student_attendance_year') }}
    where meets_min_days_enrolled
),

student_school_years as (
    select * from {{ ref('dim_student_school_year') }}
),

district_rows as (
    select
        student_years.school_year,
        student_years.is_attendance_incomplete,
        student_years.n_days_enrolled,
        student_years.n_days_present,
        student_years.is_chronically_absent,
        {{ subgroup_attributes('student_school_years') }}
    from student_years
    inner join student_school_years
        on student_years.student_key = student_school_years.student_key
        and student_years.school_year = student_school_years.school_year
),

district_cells as (
    {{ subgroup_cells('district_rows', ['school_year'], [
        'cast(sum(case when is_attendance_incomplete then 0 else 1 end) as bigint) as n_students',
        'cast(sum(case when is_attendance_incomplete then 1 else 0 end) as bigint) as n_students_awaiting_review',
        'sum(case when is_chronically_absent then 1 else 0 end) as n_chronically_absent',
        'sum(case when is_attendance_incomplete then 0 else n_days_enrolled end) as n_days_enrolled',
        'sum(n_days_present) as n_days_present',
    ]) }}
),

district_suppressed as (
    {{ suppress_small_cells(
        '(select district_cells.*, ' ~ ratio('n_days_present', 'n_days_enrolled') ~ ' as attendance_rate, '
            ~ ratio('n_chronically_absent', 'n_students') ~ ' as chronic_absence_rate from district_cells)',
        columns=['school_year', 'subgroup', 'subgroup_value'],
        value_columns=['n_students', 'n_students_awaiting_review', 'n_chronically_absent', 'attendance_rate', 'chronic_absence_rate'],
        partition_by=['school_year', 'subgroup'],
    ) }}
),

scoped as (
    select
        'district' as scope,
        cast(null as {{ dbt.type_bigint() }}) as school_key,
        school_year,
        subgroup,
        subgroup_value,
        n_students,
        n_students_awaiting_review,
        n_chronically_absent,
        attendance_rate,
        chronic_absence_rate,
        is_suppressed,
        suppression_reason
    from district_suppressed
    union all
    select
        'school' as scope,
        school_key,
        school_year,
        subgroup,
        subgroup_value,
        n_students,
        n_students_awaiting_review,
        n_chronically_absent,
        attendance_rate,
        chronic_absence_rate,
        is_suppressed,
        suppression_reason
    from school_cells
)

select
    {{ surrogate_key(['scoped.scope', 'scoped.school_key', 'scoped.school_year', 'scoped.subgroup', 'scoped.subgroup_value']) }} as chronic_absence_trend_key,
    scoped.scope,
    scoped.school_key,
    scoped.school_year,
    scoped.subgroup,
    scoped.subgroup_value,
    scoped.n_students,
    scoped.n_students_awaiting_review,
    scoped.n_chronically_absent,
    scoped.attendance_rate,
    scoped.chronic_absence_rate,
    last_year.chronic_absence_rate as prior_year_chronic_absence_rate,
    100 * (scoped.chronic_absence_rate - last_year.chronic_absence_rate) as chronic_absence_change_points,
    scoped.is_suppressed,
    scoped.suppression_reason
from scoped
left join scoped as last_year
    on scoped.scope = last_year.scope
    and coalesce(scoped.school_key, 0) = coalesce(last_year.school_key, 0)
    and scoped.school_year - 1 = last_year.school_year
    and scoped.subgroup = last_year.subgroup
    and scoped.subgroup_value = last_year.subgroup_value
