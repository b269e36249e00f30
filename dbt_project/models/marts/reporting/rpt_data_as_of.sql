-- Grain: one row per source domain: when its data last loaded into what the dashboards show.
-- A file counts while its load is in effect (status 'loaded'): a load held back by a blocking
-- check, refused or retracted is not what the served marts hold. The served copy is replaced
-- only after a good load, so this table is always as old as the figures beside it; a load of
-- nothing new changes none of its rows.
with loads as (
    select * from {{ ref('file_loads') }} where status = 'loaded'
)

select
    source,
    {{ source_label('source') }} as source_name,
    max(loaded_at) as last_loaded_at,
    cast(count(distinct raw_table) as bigint) as n_tables
from loads
group by source
