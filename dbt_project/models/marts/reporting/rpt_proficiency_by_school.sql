-- Grain: as agg_proficiency_by_school (school, school year, subject, subgroup value), labelled by
-- school; results of schools the SIS does not know keep school_id NULL (district view only).
with cells as (
    select * from {{ ref('agg_proficiency_by_school') }}
),

schools as (
    select * from {{ ref('dim_school') }}
)

select
    cells.proficiency_by_school_key,
    schools.school_id,
    coalesce(schools.school_name, 'School not in the SIS') as school_name,
    cells.school_year,
    cells.academic_subject,
    cells.subgroup,
    {{ subgroup_label('cells.subgroup') }} as subgroup_name,
    cells.subgroup_value,
    cells.n_tested,
    cells.n_proficient,
    cells.proficiency_rate,
    cells.gap_to_all_students,
    cells.is_suppressed,
    {{ cell_status('cells') }} as cell_status
from cells
left join schools on cells.school_key = schools.school_key
