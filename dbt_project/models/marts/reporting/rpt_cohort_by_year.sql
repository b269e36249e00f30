-- Grain: as agg_cohort_by_year (cohort: the students in one grade of one school year; each school
-- year from then on), labelled with the cohort's name ('Third grade of 2024') for a chart that
-- follows the same children. District-wide figures: no school column.
with cohorts as (
    select * from {{ ref('agg_cohort_by_year') }}
)

select
    cohort_by_year_key,
    {{ cohort_name('cohorts') }} as cohort_name,
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
    {{ cell_status('cohorts') }} as cell_status
from cohorts
