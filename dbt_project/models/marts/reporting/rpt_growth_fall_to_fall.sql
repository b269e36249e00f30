-- Grain: as agg_growth_fall_to_fall_by_school_grade (school, school year, MAP subject, grade),
-- with the school's SIS id and name (row-level security on school_id) and the grade's number for
-- ordering.
with cells as (
    select * from {{ ref('agg_growth_fall_to_fall_by_school_grade') }}
),

schools as (
    select * from {{ ref('dim_school') }}
),

grades as (
    select distinct grade_level, grade_number from {{ ref('grade_levels') }}
)

select
    cells.growth_fall_to_fall_key,
    schools.school_id,
    schools.school_name,
    cells.school_year,
    cells.academic_subject,
    cells.grade_level,
    grades.grade_number,
    cells.n_students,
    cells.mean_prior_fall_rit,
    cells.mean_fall_rit,
    cells.mean_rit_change_fall_to_fall,
    cells.is_suppressed,
    {{ cell_status('cells') }} as cell_status
from cells
inner join schools on cells.school_key = schools.school_key
left join grades on cells.grade_level = grades.grade_level
