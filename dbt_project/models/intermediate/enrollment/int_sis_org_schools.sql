-- Each SIS org and the school it belongs to. OneRoster orgs come in every type (national, state,
-- district, local, school, department); only schools are schools. A user or class attached to a
-- department (or another sub-school org) belongs to the nearest school above it; an org with no
-- school at or above it (a district, a state) has none.
with orgs as (
    select * from {{ ref('stg_sis__orgs') }}
),

levels as (
    select
        o.org_id,
        o.org_type,
        case
            when o.org_type = 'school' then o.org_id
            when p1.org_type = 'school' then p1.org_id
            when p2.org_type = 'school' then p2.org_id
            when p3.org_type = 'school' then p3.org_id
        end as school_id
    from orgs as o
    left join orgs as p1 on o.parent_org_id = p1.org_id and o.org_type not in ('district', 'state', 'national')
    left join orgs as p2 on p1.parent_org_id = p2.org_id and p1.org_type not in ('school', 'district', 'state', 'national')
    left join orgs as p3 on p2.parent_org_id = p3.org_id and p2.org_type not in ('school', 'district', 'state', 'national')
)

select
    org_id,
    org_type,
    school_id
from levels
