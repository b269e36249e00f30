-- Every distinct person record the non-SIS sources carry, with what each knows about the child.
-- Assessment files have no person ID of their own, so a person record there is the tuple
-- (ID as delivered, names, birth date): one typo makes another record, matched on its own.
-- middle_initial is what the source shows of the middle name (attendance and MAP), to tell a
-- look-alike from the SIS child whose name and birth date it shares.
with attendance_students as (
    select * from {{ ref('stg_attendance__students') }}
),

state_results as (
    select * from {{ ref('stg_assessment__state_results') }}
),

map_results as (
    select * from {{ ref('stg_assessment__map_results') }}
),

benchmark_results as (
    select * from {{ ref('stg_assessment__benchmark_results') }}
),

people as (
    select
        'attendance' as source_system,
        att_student_id as source_person_id,
        state_id,
        sis_local_id as local_id,
        last_name,
        first_name,
        upper(left(middle_initial, 1)) as middle_initial,
        birth_date
    from attendance_students

    union all

    select distinct
        'state_assessment' as source_system,
        {{ assessment_person_id('state_id', 'last_name', 'first_name', 'birth_date') }} as source_person_id,
        state_id,
        cast(null as {{ dbt.type_string() }}) as local_id,
        last_name,
        first_name,
        cast(null as {{ dbt.type_string() }}) as middle_initial,
        birth_date
    from state_results

    union all

    -- One row per person record, whatever middle initial its rows show (the first, if several).
    select
        'map' as source_system,
        {{ assessment_person_id('local_id', 'last_name', 'first_name', 'birth_date') }} as source_person_id,
        cast(null as {{ dbt.type_string() }}) as state_id,
        local_id,
        last_name,
        first_name,
        min(middle_initial) as middle_initial,
        birth_date
    from map_results
    group by local_id, last_name, first_name, birth_date

    union all

    -- Benchmark exports carry the district's ID, often the state's, and sometimes a birth date.
    select distinct
        'benchmark' as source_system,
        {{ benchmark_person_id() }} as source_person_id,
        state_id,
        local_id,
        last_name,
        first_name,
        cast(null as {{ dbt.type_string() }}) as middle_initial,
        birth_date
    from benchmark_results
)

select
    *,
    {{ normalize_name('last_name') }} as last_name_norm,
    {{ normalize_name('first_name') }} as first_name_norm
from people
