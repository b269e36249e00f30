-- Grain: one row per school, school year and band of days absent at that school: how many
-- students (enrolled at least var('chronic_absence_min_days') days there) missed 00, 01-04,
-- 05-09, 10-17 or 18+ days (zero-padded so the bands sort in order on a chart's axis). Every
-- band is listed, empty ones too, so a missing bar is never a silent zero; bands of fewer than
-- var('min_cell_size') students are suppressed (macros/suppression.sql). A student whose attendance
-- is incomplete (no linked attendance record; n_days_absent NULL) is in no band.
with student_school_years as (
    select * from {{ ref('fct_student_attendance_school_year') }}
    where meets_min_days_enrolled
),

schools as (
    select * from {{ ref('dim_school') }}
),

bands as (
    select * from (
        values
            (1, '00 days', 0, 0),
            (2, '01-04 days', 1, 4),
            (3, '05-09 days', 5, 9),
            (4, '10-17 days', 10, 17),
            (5, '18+ days', 18, 100000)
    ) as bands (band_order, absence_band, min_days, max_days)  -- noqa: AL05
),

school_years as (
    select distinct school_key, school_year from student_school_years
),

counted as (
    select
        school_years.school_key,
        school_years.school_year,
        bands.band_order,
        bands.absence_band,
        count(student_school_years.student_key) as n_students
    from school_years
    cross join bands
    left join student_school_years
        on school_years.school_key = student_school_years.school_key
        and school_years.school_year = student_school_years.school_year
        and student_school_years.n_days_absent between bands.min_days and bands.max_days
    group by 1, 2, 3, 4
),

suppressed as (
    {{ suppress_small_cells(
        'counted',
        columns=['school_key', 'school_year', 'band_order', 'absence_band'],
        value_columns=['n_students'],
        partition_by=['school_key', 'school_year'],
        tiebreak='band_order',
    ) }}
)

select
    {{ surrogate_key(['suppressed.school_key', 'suppressed.school_year', 'suppressed.band_order']) }} as students_by_absences_key,
    schools.school_id,
    schools.school_name,
    suppressed.school_year,
    suppressed.band_order,
    suppressed.absence_band,
    suppressed.n_students,
    suppressed.is_suppressed,
    {{ cell_status('suppressed') }} as cell_status
from suppressed
inner join schools on suppressed.school_key = schools.school_key
