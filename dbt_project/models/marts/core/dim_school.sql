with orgs as (
    select * from {{ ref('stg_sis__orgs') }}
),

-- One attendance code per school (the lowest, when the district confirmed several): a school
-- with two codes is still one row.
attendance_codes as (
    select
        school_sourced_id,
        min(vendor_school) as attendance_school_code
    from {{ ref('school_crosswalk') }}
    where {{ code_key('source_system') }} = 'ATTENDANCE'
    group by school_sourced_id
),

students as (
    select * from {{ ref('int_sis_students') }}
),

grade_span as (
    select
        current_school_id as school_id,
        min(grade_number) as lowest_grade,
        max(grade_number) as highest_grade
    from students
    group by 1
)

select
    {{ surrogate_key(["'school'", 'orgs.org_id']) }} as school_key,
    orgs.org_id as school_id,
    orgs.org_name as school_name,
    orgs.state_org_code as state_school_code,
    attendance_codes.attendance_school_code,
    orgs.parent_org_id as district_id,
    grade_span.lowest_grade,
    grade_span.highest_grade,
    case
        when grade_span.highest_grade <= 5 then 'Elementary'
        when grade_span.lowest_grade >= 9 then 'High'
        when grade_span.lowest_grade >= 6 and grade_span.highest_grade <= 8 then 'Middle'
        else 'Other'
    end as school_level
from orgs
left join attendance_codes on orgs.org_id = attendance_codes.school_sourced_id
left join grade_span on orgs.org_id = grade_span.school_id
where orgs.org_type = 'school'
