-- Grain: as agg_growth_by_section (section, school year, subject), labelled by school, class and
-- teacher of record so a principal can read it without keys.
with cells as (
    select * from {{ ref('agg_growth_by_section') }}
),

schools as (
    select * from {{ ref('dim_school') }}
),

sections as (
    select * from {{ ref('dim_section') }}
),

teachers as (
    select * from {{ ref('dim_teacher') }}
)

select
    cells.growth_by_section_key,
    schools.school_id,
    schools.school_name,
    sections.section_id,
    sections.section_title,
    coalesce(teachers.last_name || ', ' || teachers.first_name, 'No teacher of record') as teacher_name,
    cells.school_year,
    cells.academic_subject,
    cells.n_students,
    cells.mean_fall_rit,
    cells.mean_spring_rit,
    cells.mean_rit_change_fall_to_spring,
    cells.is_suppressed,
    {{ cell_status('cells') }} as cell_status
from cells
inner join schools on cells.school_key = schools.school_key
inner join sections on cells.section_key = sections.section_key
left join teachers on cells.teacher_key = teachers.teacher_key
