-- Which SIS user field each source's student IDs match: one row per source, kind of ID it carries
-- (local_id: the district's student number; state_id) and SIS field (sourcedId, identifier,
-- username, userIds:<type>) that at least one of them matches, plus the field the district's
-- settings name (settings/sis.py, vars sis_local_id / sis_state_id), matched or not. When the
-- named field matches none of a source's IDs and another field matches some, the setting is
-- wrong for this SIS export (a GUID sourcedId with the number in userIds): identity quietly
-- links nothing by that ID. Counts only, never an ID.
with source_people as (
    select * from {{ ref('int_source_people') }}
),

sis_fields as (
    select * from {{ ref('int_sis_student_id_fields') }}
),

source_ids as (
    select distinct source_system, 'local_id' as id_kind, local_id as id_value
    from source_people where local_id is not null
    union
    select distinct source_system, 'state_id' as id_kind, state_id as id_value
    from source_people where state_id is not null
),

totals as (
    select source_system, id_kind, count(*) as n_source_ids
    from source_ids
    group by source_system, id_kind
),

settings as (
    select 'local_id' as id_kind, '{{ var("sis_local_id") | trim }}' as sis_field
    union all
    select 'state_id', '{{ var("sis_state_id") | trim }}'
),

matched as (
    select
        source_ids.source_system,
        source_ids.id_kind,
        sis_fields.sis_field,
        count(distinct source_ids.id_value) as n_matched
    from source_ids
    inner join sis_fields on source_ids.id_value = sis_fields.id_value
    group by source_ids.source_system, source_ids.id_kind, sis_fields.sis_field
),

fields as (
    select source_system, id_kind, sis_field from matched
    union
    select totals.source_system, totals.id_kind, settings.sis_field
    from totals inner join settings on totals.id_kind = settings.id_kind
)

select
    fields.source_system,
    fields.id_kind,
    fields.sis_field,
    lower(fields.sis_field) = lower(settings.sis_field) as is_setting,
    settings.sis_field as setting_field,
    totals.n_source_ids,
    coalesce(matched.n_matched, 0) as n_matched
from fields
inner join totals
    on fields.source_system = totals.source_system and fields.id_kind = totals.id_kind
inner join settings on fields.id_kind = settings.id_kind
left join matched
    on fields.source_system = matched.source_system
    and fields.id_kind = matched.id_kind
    and lower(fields.sis_field) = lower(matched.sis_field)
