-- Grain: one row per source system, entity and quarantine reason: rows kept out of the marts in
-- the latest loads. Counts only: the quarantined rows themselves hold student data and stay in
-- the warehouse for the stewards.
with quarantined as (
    select source_system, entity, stage, reason from {{ ref('quarantine_sis') }}
    union all
    select source_system, entity, stage, reason from {{ ref('quarantine_attendance') }}
    union all
    select source_system, entity, stage, reason from {{ ref('quarantine_assessment') }}
)

select
    {{ surrogate_key(['source_system', 'entity', 'stage', 'reason']) }} as quarantine_by_reason_key,
    source_system,
    {{ source_label('source_system') }} as source_name,
    entity,
    stage,
    reason,
    count(*) as n_rows
from quarantined
group by source_system, source_name, entity, stage, reason
