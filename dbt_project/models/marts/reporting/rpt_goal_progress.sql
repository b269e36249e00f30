-- Grain: as fct_goal_progress (goal, school year), with the scope's school id and name; a
-- district-wide goal has school_id NULL and school_name 'District'.
with progress as (
    select * from {{ ref('fct_goal_progress') }}
),

schools as (
    select * from {{ ref('dim_school') }}
)

select
    progress.goal_progress_key,
    progress.goal_name,
    progress.metric,
    progress.scope,
    schools.school_id,
    case when progress.scope = 'district' then 'District' else schools.school_name end as school_name,
    progress.subgroup_value,
    progress.academic_subject,
    progress.baseline_year,
    progress.baseline_value,
    progress.target_year,
    progress.target_value,
    progress.school_year,
    progress.metric_value,
    progress.target_line_value,
    progress.is_on_track,
    case
        when progress.is_suppressed then 'Suppressed (small cell)'
        when progress.is_on_track then 'On track'
        when not progress.is_on_track then 'Not on track'
        else 'Not measured'
    end as progress_status,
    progress.is_suppressed,
    case when progress.is_suppressed then 'suppressed (small cell)' else 'shown' end as cell_status
from progress
left join schools on progress.scope = schools.school_id
