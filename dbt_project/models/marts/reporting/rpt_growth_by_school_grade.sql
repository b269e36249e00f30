-- Grain: as agg_growth_by_school_grade (school, school year, subject, grade), labelled by school,
-- with the grade's number (kindergarten 0) so a chart's axis runs in grade order.
with cells as (
    select * from {{ ref('agg_growth_by_school_grade') }}
),

schools as (
    select * from {{ ref('dim_school') }}
),

grades as (
    select distinct grade_level, grade_number from {{ ref('grade_levels') }}
)

select
    cells.growth_by_school_grade_key,
    schools.school_id,
    schools.school_name,
    cells.school_year,
    cells.academic_subject,
    cells.grade_level,
    grades.grade_number,
    cells.n_students,
    cells.mean_fall_rit,
    cells.mean_spring_rit,
    cells.mean_rit_change_fall_to_spring,
    cells.is_suppressed,
    {{ cell_status('cells') }} as cell_status
from cells
inner join schools on cells.school_key = schools.school_key
left join grades on cells.grade_level = grades.grade_level
