-- Grain: one row per cohort (the students in one grade of one school year, district-wide:
-- dim_student_school_year) and each school year from then on: how many of the same students are
-- still enrolled, at the grade expected (one up per year) or below it (a repeated grade), and
-- their chronic absence, for "did last year's grade 3 cohort do better this year?". Students who
-- join later are not in the cohort: it follows the same children. Cells of fewer than
-- var('min_cell_size') students enrolled are suppressed (the cohort's own rows add up to nothing
-- else, so no complementary cell is needed).
with student_years as (
    select * from {{ ref('dim_student_school_year') }}
),

attendance_years as (
    select * from {{ ref('fct_student_attendance_year') }}
),

cohorts as (
    select
        student_key,
        school_year as cohort_year,
        grade_level as cohort_grade_level,
        grade_number as cohort_grade_number
    from student_years
    where grade_number is not null
),

cohort_sizes as (
    select
        cohort_year,
        cohort_grade_level,
        count(*) as n_cohort_students
    from cohorts
    group by cohort_year, cohort_grade_level
),

followed as (
    select
        cohorts.cohort_year,
        cohorts.cohort_grade_level,
        cohorts.cohort_grade_number,
        student_years.school_year,
        student_years.grade_number,
        student_years.school_year - cohorts.cohort_year as years_after,
        coalesce(attendance_years.meets_min_days_enrolled and not attendance_years.is_attendance_incomplete, false)
            as counts_for_chronic,
        coalesce(attendance_years.is_chronically_absent, false) as is_chronically_absent
    from cohorts
    inner join student_years
        on cohorts.student_key = student_years.student_key
        and student_years.school_year >= cohorts.cohort_year
    left join attendance_years
        on student_years.student_key = attendance_years.student_key
        and student_years.school_year = attendance_years.school_year
),

cells as (
    select
        followed.cohort_year,
        followed.cohort_grade_level,
        max(followed.cohort_grade_number) as cohort_grade_number,
        followed.school_year,
        max(followed.years_after) as years_after,
        max(cohort_sizes.n_cohort_students) as n_cohort_students,
        count(*) as n_students,
        sum(case when followed.grade_number = followed.cohort_grade_number + followed.years_after then 1 else 0 end)
            as n_at_expected_grade,
        sum(case when followed.grade_number < followed.cohort_grade_number + followed.years_after then 1 else 0 end)
            as n_below_expected_grade,
        sum(case when followed.counts_for_chronic then 1 else 0 end) as n_students_min_days,
        sum(case when followed.is_chronically_absent then 1 else 0 end) as n_chronically_absent
    from followed
    inner join cohort_sizes
        on followed.cohort_year = cohort_sizes.cohort_year
        and followed.cohort_grade_level = cohort_sizes.cohort_grade_level
    group by followed.cohort_year, followed.cohort_grade_level, followed.school_year
),

suppressed as (
    {{ keyed_and_suppressed(
        'cells',
        key_name='cohort_by_year_key',
        key_columns=['cohort_year', 'cohort_grade_level', 'school_year'],
        columns=['cohort_year', 'cohort_grade_level', 'cohort_grade_number', 'school_year', 'years_after', 'n_cohort_students'],
        value_columns=['n_students', 'n_at_expected_grade', 'n_below_expected_grade', 'n_chronically_absent'],
        derived=[['chronic_absence_rate', ratio('n_chronically_absent', 'n_students_min_days')]],
        partition_by=['cohort_year', 'cohort_grade_level', 'school_year'],
        tiebreak='cohort_grade_level',
    ) }}
)

select
    cohort_by_year_key,
    cohort_year,
    cohort_grade_level,
    cohort_grade_number,
    school_year,
    years_after,
    n_cohort_students,
    n_students,
    n_at_expected_grade,
    n_below_expected_grade,
    n_chronically_absent,
    chronic_absence_rate,
    is_suppressed,
    suppression_reason
from suppressed
