-- Each school_key under which an SIS school (orgs of type school) is known: its name, its state
-- code and its sourcedId, normalized (macros/crosswalks.sql), with how many schools share it. A
-- vendor's school value with no row in the district's school_crosswalk is matched here, and only
-- when exactly one school has its key (resolve_schools).
with schools as (
    select * from {{ ref('stg_sis__orgs') }}
    where org_type = 'school'
),

school_keys as (
    select org_id as school_id, {{ school_key('org_name') }} as match_key from schools
    union
    select org_id as school_id, {{ school_key('state_org_code') }} as match_key from schools
    union
    select org_id as school_id, {{ school_key('org_id') }} as match_key from schools
)

select
    match_key,
    count(distinct school_id) as n_schools,
    min(school_id) as school_id
from school_keys
where match_key is not null and match_key <> ''
group by match_key
