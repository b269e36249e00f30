-- Per source person record, each test it has a result in: the source's natural key of a result
-- without the student (state: school year and subject; MAP: term and RIT scale; a benchmark:
-- assessment, subject, measure and window). A child sits a test once, so two records of one
-- source linked to one SIS student with a result in the same test are two children: identity
-- (int_identity_matches) sends the weaker link to review. The attendance system keeps one record
-- per child, so there the test is the student list itself.
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
)

select distinct
    'attendance' as source_system,
    att_student_id as source_person_id,
    'attendance student list' as test_key
from attendance_students

union all

select distinct
    'state_assessment' as source_system,
    {{ assessment_person_id('state_id', 'last_name', 'first_name', 'birth_date') }} as source_person_id,
    coalesce(cast(school_year as {{ dbt.type_string() }}), '') || '|' || coalesce(academic_subject, '') as test_key
from state_results

union all

select distinct
    'map' as source_system,
    {{ assessment_person_id('local_id', 'last_name', 'first_name', 'birth_date') }} as source_person_id,
    coalesce(cast(school_year as {{ dbt.type_string() }}), '') || '|' || coalesce(season, '')
    || '|' || coalesce(academic_subject, '') || '|' || coalesce(measure, '') as test_key
from map_results

union all

select distinct
    'benchmark' as source_system,
    {{ benchmark_person_id() }} as source_person_id,
    coalesce(assessment_name, '') || '|' || coalesce(cast(school_year as {{ dbt.type_string() }}), '')
    || '|' || coalesce(season, '') || '|' || coalesce(academic_subject, '') || '|' || coalesce(measure, '') as test_key
from benchmark_results
