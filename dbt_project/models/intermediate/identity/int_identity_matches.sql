-- Links each source person record to one SIS student, precision first (docs/architecture.md, Conformance):
--   1. a steward's decision (crosswalk identity_overrides, config/crosswalks/) wins;
--   2. state ID, 3. district local ID — confirmed by birth date, or by both names where the
--      source has no birth date to compare; an ID whose owner has another birth date and name is
--      a conflict (often a transposed digit that is another real child's ID), never a link;
--   4. exact normalized last name + first name + birth date, only when unique in the SIS, and
--      only when nothing in the record contradicts it: a child the SIS never saw can share both
--      with a SIS child, so another middle initial, or a result in a test the student already
--      has a result in from the same source under another record (int_source_person_tests),
--      sends the record to review instead;
--   5. otherwise a probable match (same birth date; swapped names, nickname or similar name)
--      or an ambiguous name goes to review; 6. anything else is unmatched.
with people as (
    select * from {{ ref('int_source_people') }}
),

students as (
    select * from {{ ref('int_sis_students') }}
),

overrides as (
    select
        -- A steward's row matches whatever its case and padding (IDs keep their case).
        lower({{ clean_text('o.source') }}) as source_system,
        {{ clean_text('o.source_person_id') }} as source_person_id,
        lower({{ clean_text('o.decision') }}) as decision,
        s.student_key
    from {{ ref('identity_overrides') }} as o
    left join students as s on {{ clean_text('o.student_sourced_id') }} = s.local_id
),

nicknames as (
    select * from {{ ref('nicknames') }}
),

person_tests as (
    select * from {{ ref('int_source_person_tests') }}
),

-- IDs are compared as delivered, or without leading zeros for the sources the district's
-- `identity.student_id_strip_leading_zeros` setting names (var strip_leading_zero_sources):
-- `0012345` in a state file is then the SIS's `12345`. Both sides are keyed before the join, so
-- it stays an equality (hash) join.
keyed_people as (
    select
        *,
        {{ strips_leading_zeros('source_system') }} as _strips,
        case when {{ strips_leading_zeros('source_system') }} then {{ without_leading_zeros('state_id') }} else state_id end as state_id_key,
        case when {{ strips_leading_zeros('source_system') }} then {{ without_leading_zeros('local_id') }} else local_id end as local_id_key
    from people
),

keyed_students as (
    select
        *,
        {{ without_leading_zeros('state_id') }} as state_id_stripped,
        {{ without_leading_zeros('local_id') }} as local_id_stripped
    from students
),

id_candidates as (
    {%- set branches = [] -%}
    {%- for kind in ['state_id', 'local_id'] -%}
    {%- do branches.append([kind, kind, 'not p._strips']) -%}
    {%- if var('strip_leading_zero_sources', []) | length > 0 -%}
    {%- do branches.append([kind, kind ~ '_stripped', 'p._strips']) -%}
    {%- endif -%}
    {%- endfor %}
    {%- for kind, student_column, condition in branches %}
    select
        p.source_system,
        p.source_person_id,
        '{{ kind }}' as id_kind,
        s.student_key,
        s.birth_date = p.birth_date as birth_agrees,
        s.last_name_norm = p.last_name_norm and s.first_name_norm = p.first_name_norm as names_agree,
        p.birth_date is null as birth_missing
    from keyed_people as p
    inner join keyed_students as s on p.{{ kind }}_key = s.{{ student_column }}
    where {{ condition }}
    {% if not loop.last %}
    union all
    {% endif %}
    {%- endfor %}
),

id_outcomes as (
    select
        source_system,
        source_person_id,
        id_kind,
        count(*) as n_owners,
        max(student_key) as student_key,
        max(case when coalesce(birth_agrees, false) or (birth_missing and coalesce(names_agree, false)) then 1 else 0 end) as confirmed
    from id_candidates
    group by 1, 2, 3
),

name_keys as (
    select
        last_name_norm,
        first_name_norm,
        birth_date,
        count(*) as n_students,
        max(student_key) as student_key
    from students
    where last_name_norm is not null and first_name_norm is not null and birth_date is not null
    group by 1, 2, 3
),

deterministic as (
    select
        p.*,
        o.decision,
        case
            when o.decision = 'link' then o.student_key
            when o.decision is not null then null
            when st.confirmed = 1 and st.n_owners = 1 then st.student_key
            when lo.confirmed = 1 and lo.n_owners = 1 then lo.student_key
            when nk.n_students = 1 then nk.student_key
        end as student_key,
        case
            when o.decision is not null then 'steward_override'
            when st.confirmed = 1 and st.n_owners = 1 then 'state_id'
            when lo.confirmed = 1 and lo.n_owners = 1 then 'local_id'
            when nk.n_students = 1 then 'name_birthdate'
        end as match_rule,
        st.n_owners is not null or lo.n_owners is not null as id_conflict,
        coalesce(nk.n_students, 0) > 1 as name_shared,
        coalesce(st.student_key, lo.student_key) as id_owner_key,
        -- Whether a name + birth date link is the rule that applies (a steward's decision and a
        -- confirmed ID come first), for the contradiction checks below.
        o.decision is null
        and not coalesce(st.confirmed = 1 and st.n_owners = 1, false)
        and not coalesce(lo.confirmed = 1 and lo.n_owners = 1, false)
        and nk.n_students = 1 as _by_name
    from people as p
    left join overrides as o
        on p.source_system = o.source_system and p.source_person_id = o.source_person_id
    left join id_outcomes as st
        on p.source_system = st.source_system and p.source_person_id = st.source_person_id
        and st.id_kind = 'state_id'
    left join id_outcomes as lo
        on p.source_system = lo.source_system and p.source_person_id = lo.source_person_id
        and lo.id_kind = 'local_id'
    left join name_keys as nk
        on p.last_name_norm = nk.last_name_norm
        and p.first_name_norm = nk.first_name_norm
        and p.birth_date = nk.birth_date
),

-- A name + birth date link contradicted by the record: the middle initials differ, or the same
-- source has a result of the student's in one of this record's tests under another record that
-- is linked to them (two children sat it). Both records of such a pair go to review when both
-- are name links: which one is the SIS child is a steward's call.
name_links as (
    select
        d.source_system,
        d.source_person_id,
        d.student_key
    from deterministic as d
    where d._by_name
),

-- The tests of every record linked to a student some name link points to (only those can
-- contradict one: at 100,000 students this halved the model's time against all linked records).
linked_tests as (
    select
        t.source_system,
        t.source_person_id,
        t.test_key,
        d.student_key
    from person_tests as t
    inner join deterministic as d
        on t.source_system = d.source_system and t.source_person_id = d.source_person_id
    where d.student_key in (select n.student_key from name_links as n)
),

contradicted as (
    select
        n.source_system,
        n.source_person_id,
        'name and birth date match a student who has another result in the same test' as reason
    from name_links as n
    inner join linked_tests as mine
        on n.source_system = mine.source_system and n.source_person_id = mine.source_person_id
    inner join linked_tests as other
        on mine.source_system = other.source_system
        and mine.student_key = other.student_key
        and mine.test_key = other.test_key
        and mine.source_person_id <> other.source_person_id
    group by 1, 2

    union all

    select
        n.source_system,
        n.source_person_id,
        'name and birth date match a student with another middle initial' as reason
    from name_links as n
    inner join people as p
        on n.source_system = p.source_system and n.source_person_id = p.source_person_id
    inner join students as s on n.student_key = s.student_key
    where p.middle_initial <> s.middle_initial
),

contradictions as (
    select
        source_system,
        source_person_id,
        min(reason) as reason
    from contradicted
    group by 1, 2
),

resolved as (
    select
        d.*,
        c.reason as contradiction,
        case when c.reason is null then d.student_key end as linked_student_key,
        case when c.reason is null then d.match_rule end as linked_rule,
        case when c.reason is not null then d.student_key end as name_candidate_key
    from deterministic as d
    left join contradictions as c
        on d.source_system = c.source_system and d.source_person_id = c.source_person_id
),

-- Only records no rule linked are compared by similarity: a small set, blocked on birth date.
probable as (
    select
        p.source_system,
        p.source_person_id,
        count(distinct s.student_key) as n_candidates,
        max(s.student_key) as student_key
    from deterministic as p
    inner join students as s
        on p.birth_date = s.birth_date
    left join nicknames as n
        on p.first_name_norm = n.nickname and s.first_name_norm = n.given_name
    where p.match_rule is null
        and (
            (p.last_name_norm = s.first_name_norm and p.first_name_norm = s.last_name_norm)
            or (p.last_name_norm = s.last_name_norm and (
                n.nickname is not null
                or {{ name_similarity('p.first_name_norm', 's.first_name_norm') }} >= 0.85))
            or (p.first_name_norm = s.first_name_norm
                and {{ name_similarity('p.last_name_norm', 's.last_name_norm') }} >= 0.85)
        )
    group by 1, 2
)

select
    d.source_system,
    d.source_person_id,
    d.linked_student_key as student_key,
    d.linked_rule as match_rule,
    case
        when d.linked_student_key is not null then 'matched'
        when d.decision is not null then 'unmatched'
        when d.contradiction is not null or d.id_conflict or d.name_shared or pr.n_candidates is not null then 'review'
        else 'unmatched'
    end as match_status,
    case
        when d.linked_student_key is not null then null
        when d.decision is not null then 'steward decision: no match'
        when d.contradiction is not null then d.contradiction
        when d.id_conflict then 'ID belongs to a student with another birth date and name'
        when d.name_shared then 'several students share this name and birth date'
        when pr.n_candidates is not null then 'probable match: similar name, same birth date'
        else 'no student in the SIS'
    end as review_reason,
    coalesce(d.name_candidate_key, d.id_owner_key, pr.student_key) as candidate_student_key
from resolved as d
left join probable as pr
    on d.source_system = pr.source_system and d.source_person_id = pr.source_person_id
