-- Grain: one row per load run and source domain: how many data-quality rules ran and failed
-- (blocking and warning), so the steward sees a bad night at a glance. Counts only, no rows.
with results as (
    select * from {{ ref('quality_results') }}
)

select
    {{ surrogate_key(['run_id', 'domain']) }} as quality_checks_by_run_key,
    run_id,
    min(checked_at) as checked_at,
    domain,
    {{ source_label('domain') }} as source_name,
    cast(count(*) as bigint) as n_rules,
    cast(sum(case when not success then 1 else 0 end) as bigint) as n_failed,
    cast(sum(case when not success and severity = 'critical' then 1 else 0 end) as bigint) as n_failed_blocking,
    cast(sum(case when not success and severity <> 'critical' then 1 else 0 end) as bigint) as n_failed_warning,
    cast(sum(case when not success then coalesce(unexpected_count, 0) else 0 end) as bigint) as n_unexpected_rows
from results
group by run_id, domain, source_name
