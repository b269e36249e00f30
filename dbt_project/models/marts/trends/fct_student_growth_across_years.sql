-- Grain: one row per student, MAP subject and school year that follows a year the student was
-- also tested in (fct_student_growth): RIT and percentile from one fall to the next and from one
-- spring to the next, for growth across years where fall-to-spring growth stops at the year's end.
-- Reading and Language Usage stay separate scales. A change is NULL when either window is missing.
with growth as (
    select * from {{ ref('fct_student_growth') }}
)

select
    {{ surrogate_key(['growth.student_key', 'growth.school_year', 'growth.academic_subject']) }} as student_growth_across_years_key,
    growth.student_key,
    growth.school_year,
    growth.academic_subject,
    growth.school_key,
    growth.grade_level,
    last_year.school_key as prior_school_key,
    last_year.grade_level as prior_grade_level,
    last_year.fall_rit as prior_fall_rit,
    growth.fall_rit,
    growth.fall_rit - last_year.fall_rit as rit_change_fall_to_fall,
    last_year.spring_rit as prior_spring_rit,
    growth.spring_rit,
    growth.spring_rit - last_year.spring_rit as rit_change_spring_to_spring,
    last_year.fall_percentile as prior_fall_percentile,
    growth.fall_percentile,
    growth.fall_percentile - last_year.fall_percentile as percentile_change_fall_to_fall
from growth
inner join growth as last_year
    on growth.student_key = last_year.student_key
    and growth.academic_subject = last_year.academic_subject
    and growth.school_year - 1 = last_year.school_year
