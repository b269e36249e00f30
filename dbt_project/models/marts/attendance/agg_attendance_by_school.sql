-- Grain: one row per school, school year and subgroup value (plus the all-students row), over the
-- students enrolled at that school at least var('chronic_absence_min_days') days; small cells
-- suppressed (macros/suppression.sql). A student whose attendance is incomplete (no linked
-- attendance record: int_attendance_unlinked_students) is in no figure but
-- n_students_awaiting_review: counting their days as present would raise the rates.
with student_school_years as (
    select * from {{ ref('fct_student_attendance_school_year') }}
    where meets_min_days_enrolled
),

-- The student as they were that school year: that year's grade and subgroups.
student_years as (
    select * from {{ ref('dim_student_school_year') }}
),

student_rows as (
    select
        student_school_years.school_key,
        student_school_years.school_year,
        student_school_years.is_attendance_incomplete,
        student_school_years.n_days_enrolled,
        student_school_years.n_days_present,
        student_school_years.n_days_absent,
        student_school_years.n_days_absent_excused,
        student_school_years.n_days_absent_unexcused,
        student_school_years.n_days_out_of_school_suspension,
        student_school_years.is_chronically_absent,
        {{ subgroup_attributes('student_years') }}
    from student_school_years
    inner join student_years
        on student_school_years.student_key = student_years.student_key
        and student_school_years.school_year = student_years.school_year
),

cells as (
    {{ subgroup_cells('student_rows', ['school_key', 'school_year'], [
        'cast(sum(case when is_attendance_incomplete then 0 else 1 end) as bigint) as n_students',
        'cast(sum(case when is_attendance_incomplete then 1 else 0 end) as bigint) as n_students_awaiting_review',
        'sum(case when is_chronically_absent then 1 else 0 end) as n_chronically_absent',
        'sum(case when is_attendance_incomplete then 0 else n_days_enrolled end) as n_days_enrolled',
        'sum(n_days_present) as n_days_present',
        'sum(n_days_absent) as n_days_absent',
        'sum(n_days_absent_excused) as n_days_absent_excused',
        'sum(n_days_absent_unexcused) as n_days_absent_unexcused',
        'sum(n_days_out_of_school_suspension) as n_days_out_of_school_suspension',
    ]) }}
),

suppressed as (
    {{ keyed_and_suppressed(
        'cells',
        key_name='attendance_by_school_key',
        key_columns=['school_key', 'school_year', 'subgroup', 'subgroup_value'],
        columns=['school_key', 'school_year', 'subgroup', 'subgroup_value'],
        value_columns=[
            'n_students', 'n_students_awaiting_review', 'n_chronically_absent', 'n_days_enrolled', 'n_days_present',
            'n_days_absent', 'n_days_absent_excused', 'n_days_absent_unexcused', 'n_days_out_of_school_suspension',
        ],
        derived=[
            ['attendance_rate', ratio('n_days_present', 'n_days_enrolled')],
            ['chronic_absence_rate', ratio('n_chronically_absent', 'n_students')],
        ],
        partition_by=['school_key', 'school_year', 'subgroup'],
    ) }}
)

select
    attendance_by_school_key,
    school_key,
    school_year,
    subgroup,
    subgroup_value,
    n_students,
    n_students_awaiting_review,
    n_chronically_absent,
    n_days_enrolled,
    n_days_present,
    n_days_absent,
    n_days_absent_excused,
    n_days_absent_unexcused,
    n_days_out_of_school_suspension,
    attendance_rate,
    chronic_absence_rate,
    is_suppressed,
    suppression_reason
from suppressed
