-- Grain: as agg_attendance_by_school (school, school year, subgroup value), with the school's
-- SIS id and name so a dashboard can label and filter by school (row-level security on school_id).
with cells as (
    select * from {{ ref('agg_attendance_by_school') }}
),

schools as (
    select * from {{ ref('dim_school') }}
)

select
    cells.attendance_by_school_key,
    schools.school_id,
    schools.school_name,
    cells.school_year,
    cells.subgroup,
    {{ subgroup_label('cells.subgroup') }} as subgroup_name,
    cells.subgroup_value,
    cells.n_students,
    cells.n_students_awaiting_review,
    cells.n_chronically_absent,
    cells.n_days_absent,
    cells.n_days_absent_excused,
    cells.n_days_absent_unexcused,
    cells.n_days_out_of_school_suspension,
    cells.attendance_rate,
    cells.chronic_absence_rate,
    cells.is_suppressed,
    {{ cell_status('cells') }} as cell_status
from cells
inner join schools on cells.school_key = schools.school_key
