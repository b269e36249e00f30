-- Grain: one row per improvement-plan goal per school year from its baseline to its target year
-- that has a value: the metric's value (school goals from the aggregate marts, district goals from
-- the same cells computed over the district's students), the target line (straight from the
-- baseline to the target) and whether the value is at or better than the line.
with goals as (
    select * from {{ source('raw_goals', 'goals') }}
),

schools as (
    select * from {{ ref('dim_school') }}
),

attendance_by_school as (
    select * from {{ ref('agg_attendance_by_school') }}
),

proficiency_by_school as (
    select * from {{ ref('agg_proficiency_by_school') }}
),

student_years as (
    -- A student whose attendance is incomplete (no linked attendance record) is in no rate.
    select * from {{ ref('fct_student_attendance_year') }}
    where meets_min_days_enrolled and not is_attendance_incomplete
),

-- Every state result of a school, linked to a SIS student or not (student subgroups: linked only).
state_results as (
    select * from {{ ref('int_state_results_by_school') }}
    where is_tested
),

-- The student as they were that school year: that year's grade and subgroups.
student_school_years as (
    select * from {{ ref('dim_student_school_year') }}
),

district_attendance_rows as (
    select
        student_years.school_year,
        student_years.n_days_enrolled,
        student_years.n_days_present,
        student_years.is_chronically_absent,
        {{ subgroup_attributes('student_school_years') }}
    from student_years
    inner join student_school_years
        on student_years.student_key = student_school_years.student_key
        and student_years.school_year = student_school_years.school_year
),

district_attendance_cells as (
    {{ subgroup_cells('district_attendance_rows', ['school_year'], [
        'count(*) as n_students',
        'sum(case when is_chronically_absent then 1 else 0 end) as n_chronically_absent',
        'sum(n_days_enrolled) as n_days_enrolled',
        'sum(n_days_present) as n_days_present',
    ]) }}
),

district_proficiency_cells as (
    {{ subgroup_cells('state_results', ['school_year', 'academic_subject'], [
        'count(*) as n_tested',
        'sum(case when is_proficient then 1 else 0 end) as n_proficient',
    ], linked='is_linked') }}
),

metric_values as (
    select
        schools.school_id as scope,
        attendance_by_school.school_year,
        cast(null as string) as academic_subject,
        attendance_by_school.subgroup_value,
        'chronic_absence_rate' as metric,
        attendance_by_school.chronic_absence_rate as metric_value,
        attendance_by_school.is_suppressed
    from attendance_by_school
    inner join schools on attendance_by_school.school_key = schools.school_key
    union all
    select
        schools.school_id,
        attendance_by_school.school_year,
        cast(null as string),
        attendance_by_school.subgroup_value,
        'attendance_rate',
        attendance_by_school.attendance_rate,
        attendance_by_school.is_suppressed
    from attendance_by_school
    inner join schools on attendance_by_school.school_key = schools.school_key
    union all
    select
        schools.school_id,
        proficiency_by_school.school_year,
        proficiency_by_school.academic_subject,
        proficiency_by_school.subgroup_value,
        'proficiency_rate',
        proficiency_by_school.proficiency_rate,
        proficiency_by_school.is_suppressed
    from proficiency_by_school
    inner join schools on proficiency_by_school.school_key = schools.school_key
    union all
    select
        'district',
        school_year,
        cast(null as string),
        subgroup_value,
        'chronic_absence_rate',
        case when n_students >= {{ var('min_cell_size', 10) | int }} then {{ ratio('n_chronically_absent', 'n_students') }} end,
        n_students < {{ var('min_cell_size', 10) | int }}
    from district_attendance_cells
    union all
    select
        'district',
        school_year,
        cast(null as string),
        subgroup_value,
        'attendance_rate',
        case when n_students >= {{ var('min_cell_size', 10) | int }} then {{ ratio('n_days_present', 'n_days_enrolled') }} end,
        n_students < {{ var('min_cell_size', 10) | int }}
    from district_attendance_cells
    union all
    select
        'district',
        school_year,
        academic_subject,
        subgroup_value,
        'proficiency_rate',
        case when n_tested >= {{ var('min_cell_size', 10) | int }} then {{ ratio('n_proficient', 'n_tested') }} end,
        n_tested < {{ var('min_cell_size', 10) | int }}
    from district_proficiency_cells
),

progress as (
    select
        goals.goal_name,
        goals.metric,
        goals.scope,
        coalesce(goals.subgroup, 'All students') as subgroup_value,
        goals.academic_subject,
        goals.baseline_year,
        goals.baseline_value,
        goals.target_year,
        goals.target_value,
        metric_values.school_year,
        metric_values.metric_value,
        metric_values.is_suppressed,
        goals.baseline_value + (goals.target_value - goals.baseline_value)
        * {{ ratio('metric_values.school_year - goals.baseline_year', 'goals.target_year - goals.baseline_year') }} as target_line_value
    from goals
    inner join metric_values
        on goals.metric = metric_values.metric
        and goals.scope = metric_values.scope
        and coalesce(goals.subgroup, 'All students') = metric_values.subgroup_value
        and coalesce(goals.academic_subject, '') = coalesce(metric_values.academic_subject, '')
        and metric_values.school_year between goals.baseline_year and goals.target_year
)

select
    {{ surrogate_key(['goal_name', 'school_year']) }} as goal_progress_key,
    goal_name,
    metric,
    scope,
    subgroup_value,
    academic_subject,
    baseline_year,
    baseline_value,
    target_year,
    target_value,
    school_year,
    metric_value,
    is_suppressed,
    target_line_value,
    case
        when metric_value is null then null
        when metric = 'chronic_absence_rate' then metric_value <= target_line_value
        else metric_value >= target_line_value
    end as is_on_track
from progress
