-- Grain: as agg_chronic_absence_trend (scope, school, school year, subgroup value), labelled: the
-- school's SIS id and name ('District' and school_id NULL for the district's own rows, which every
-- school role may see) and the subgroup's kind, so a chart can pick the program subgroups.
with trend as (
    select * from {{ ref('agg_chronic_absence_trend') }}
),

schools as (
    select * from {{ ref('dim_school') }}
)

select
    trend.chronic_absence_trend_key,
    trend.scope,
    schools.school_id,
    case when trend.scope = 'district' then 'District' else schools.school_name end as school_name,
    trend.school_year,
    trend.subgroup,
    trend.subgroup_value,
    {{ subgroup_kind('trend') }} as subgroup_kind,
    trend.n_students,
    trend.n_students_awaiting_review,
    trend.n_chronically_absent,
    trend.attendance_rate,
    trend.chronic_absence_rate,
    trend.prior_year_chronic_absence_rate,
    trend.chronic_absence_change_points,
    trend.is_suppressed,
    {{ cell_status('trend') }} as cell_status
from trend
left join schools on trend.school_key = schools.school_key
