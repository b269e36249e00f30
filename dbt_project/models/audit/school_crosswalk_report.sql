-- Every school code or name a source delivered, and how it reached an SIS school: `confirmed`
-- (a row of the district's school_crosswalk), `suggested` (exactly one SIS school has the same
-- normalized name or code: applied, to be confirmed by copying the row into the crosswalk),
-- `ambiguous` (several fit) or `unmatched` (none fits): the rows of those two are quarantined
-- with reason 'school not in the school crosswalk' (quarantine.school_review lists them).
{%- set sources = [
    ['attendance', 'base_attendance__exceptions', 'att_school_code'],
    ['attendance', 'base_attendance__students', 'att_school_code'],
    ['state_assessment', 'base_assessment__state_results', 'state_school_code'],
    ['map', 'base_assessment__map_results', 'school_name'],
    ['benchmark', 'base_assessment__benchmark_results', 'school_vendor_value'],
] %}
with delivered as (
    {%- for source_system, model, column in sources %}
    select
        '{{ source_system }}' as source_system,
        {{ column }} as vendor_school,
        school_id,
        school_match
    from {{ ref(model) }}
    where {{ column }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

orgs as (
    select * from {{ ref('stg_sis__orgs') }}
    where org_type = 'school'
)

select
    delivered.source_system,
    delivered.vendor_school,
    delivered.school_match,
    delivered.school_id,
    orgs.org_name as school_name,
    count(*) as n_rows,
    case
        when delivered.school_match = 'suggested'
            then 'Applied. Confirm it: add "' || delivered.source_system || ',' || delivered.vendor_school || ',' || delivered.school_id || '" to config/crosswalks/school_crosswalk.csv'
        when delivered.school_match = 'ambiguous'
            then 'Several SIS schools fit: add the right one to config/crosswalks/school_crosswalk.csv'
        when delivered.school_match = 'unmatched'
            then 'No SIS school fits: add it to config/crosswalks/school_crosswalk.csv'
    end as action
from delivered
left join orgs on delivered.school_id = orgs.org_id
group by delivered.source_system, delivered.vendor_school, delivered.school_match, delivered.school_id, orgs.org_name
