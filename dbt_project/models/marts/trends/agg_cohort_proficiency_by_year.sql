-- Grain: one row per cohort (the students in one grade of one school year, district-wide:
-- dim_student_school_year), school year from then on and state test subject: the same students'
-- state test results that year (fct_student_assessment_year), for "did last year's grade 3 cohort
-- grow?" rather than "did this year's grade 4 do better than last year's?". Only results linked
-- to a SIS student can be followed. Cells of fewer than var('min_cell_size') tested students are
-- suppressed.
with student_years as (
    select * from {{ ref('dim_student_school_year') }}
),

assessment_years as (
    select * from {{ ref('fct_student_assessment_year') }}
    where state_is_proficient is not null
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

cells as (
    select
        cohorts.cohort_year,
        cohorts.cohort_grade_level,
        max(cohorts.cohort_grade_number) as cohort_grade_number,
        assessment_years.school_year,
        max(assessment_years.school_year - cohorts.cohort_year) as years_after,
        assessment_years.academic_subject,
        count(*) as n_tested,
        sum(case when assessment_years.state_is_proficient then 1 else 0 end) as n_proficient
    from cohorts
    inner join assessment_years
        on cohorts.student_key = assessment_years.student_key
        and assessment_years.school_year >= cohorts.cohort_year
    group by cohorts.cohort_year, cohorts.cohort_grade_level, assessment_years.school_year, assessment_years.academic_subject
),

suppressed as (
    {{ suppress_small_cells(
        '(select cells.*, ' ~ ratio('n_proficient', 'n_tested') ~ ' as proficiency_rate from cells)',
        columns=['cohort_year', 'cohort_grade_level', 'cohort_grade_number', 'school_year', 'years_after', 'academic_subject'],
        value_columns=['n_tested', 'n_proficient', 'proficiency_rate'],
        partition_by=['cohort_year', 'cohort_grade_level', 'school_year', 'academic_subject'],
        n_column='n_tested',
        tiebreak='cohort_grade_level',
    ) }}
)

select
    {{ surrogate_key(['cohort_year', 'cohort_grade_level', 'school_year', 'academic_subject']) }} as cohort_proficiency_by_year_key,
    cohort_year,
    cohort_grade_level,
    cohort_grade_number,
    school_year,
    years_after,
    academic_subject,
    n_tested,
    n_proficient,
    proficiency_rate,
    is_suppressed,
    suppression_reason
from suppressed
