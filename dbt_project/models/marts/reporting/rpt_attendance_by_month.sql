-- Grain: as agg_attendance_by_month (school, month, subgroup value), labelled by school.
with cells as (
    select * from {{ ref('agg_attendance_by_month') }}
),

schools as (
    select * from {{ ref('dim_school') }}
)

select
    cells.attendance_by_month_key,
    schools.school_id,
    schools.school_name,
    cells.school_year,
    cells.calendar_month,
    cells.subgroup,
    {{ subgroup_label('cells.subgroup') }} as subgroup_name,
    cells.subgroup_value,
    cells.n_students,
    cells.n_students_awaiting_review,
    cells.n_days_enrolled,
    cells.n_days_present,
    cells.attendance_rate,
    cells.is_suppressed,
    {{ cell_status('cells') }} as cell_status
from cells
inner join schools on cells.school_key = schools.school_key
