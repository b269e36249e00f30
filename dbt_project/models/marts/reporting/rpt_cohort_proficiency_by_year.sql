-- Grain: as agg_cohort_proficiency_by_year (cohort, school year from then on, state test subject),
-- labelled with the cohort's name ('Third grade of 2024'). District-wide figures: no school column.
with cohorts as (
    select * from {{ ref('agg_cohort_proficiency_by_year') }}
)

select
    cohort_proficiency_by_year_key,
    {{ cohort_name('cohorts') }} as cohort_name,
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
    {{ cell_status('cohorts') }} as cell_status
from cohorts
