-- Grain: as agg_proficiency_gap_trend (scope, school, school year, subject, subgroup value),
-- labelled: the school's SIS id and name ('District' and school_id NULL for the district's own
-- rows; 'School not in the SIS' for a school only the state file names) and the subgroup's kind, so
-- a chart can show the program subgroups' gaps without their mirror images.
with trend as (
    select * from {{ ref('agg_proficiency_gap_trend') }}
),

schools as (
    select * from {{ ref('dim_school') }}
)

select
    trend.proficiency_gap_trend_key,
    trend.scope,
    schools.school_id,
    case
        when trend.scope = 'district' then 'District'
        else coalesce(schools.school_name, 'School not in the SIS')
    end as school_name,
    trend.school_year,
    trend.academic_subject,
    trend.subgroup,
    trend.subgroup_value,
    {{ subgroup_kind('trend') }} as subgroup_kind,
    trend.n_tested,
    trend.n_proficient,
    trend.proficiency_rate,
    trend.rest_proficiency_rate,
    trend.gap_points,
    trend.prior_year_proficiency_rate,
    trend.proficiency_change_points,
    trend.prior_year_gap_points,
    trend.gap_change_points,
    trend.is_suppressed,
    {{ cell_status('trend') }} as cell_status
from trend
left join schools on trend.school_key = schools.school_key
