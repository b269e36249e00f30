-- Grain: as agg_growth_by_teacher (teacher, school, school year, subject), labelled by the
-- teacher's name and the school the students were counted at (the cell's school, from their
-- class of record), never the teacher's home school in the SIS: school roles filter on it.
with cells as (
    select * from {{ ref('agg_growth_by_teacher') }}
),

teachers as (
    select * from {{ ref('dim_teacher') }}
),

schools as (
    select * from {{ ref('dim_school') }}
)

select
    cells.growth_by_teacher_key,
    schools.school_id,
    schools.school_name,
    teachers.last_name || ', ' || teachers.first_name as teacher_name,
    cells.school_year,
    cells.academic_subject,
    cells.n_students,
    cells.mean_fall_rit,
    cells.mean_spring_rit,
    cells.mean_rit_change_fall_to_spring,
    cells.is_suppressed,
    {{ cell_status('cells') }} as cell_status
from cells
inner join teachers on cells.teacher_key = teachers.teacher_key
inner join schools on cells.school_key = schools.school_key
