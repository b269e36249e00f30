-- Grain: one row per scope (the district, or one school), school year, state test subject and
-- subgroup value (plus the all-students row): tested and proficient counts, before suppression.
-- Counted as agg_proficiency_by_school counts (every result of the school for all students and the
-- grade tested, linked results only for the student subgroups, programs of the result's year), so
-- the school rows are that mart's cells; the district rows add up every school's results.
with results as (
    select * from {{ ref('int_state_results_by_school') }}
),

scoped_results as (
    select
        'school' as scope,
        school_key,
        school_year,
        academic_subject,
        is_linked,
        is_tested,
        is_proficient,
        race_ethnicity,
        sex,
        is_english_learner,
        has_disability,
        is_low_income,
        grade_level
    from results
    union all
    select
        'district' as scope,
        cast(null as {{ dbt.type_bigint() }}) as school_key,
        school_year,
        academic_subject,
        is_linked,
        is_tested,
        is_proficient,
        race_ethnicity,
        sex,
        is_english_learner,
        has_disability,
        is_low_income,
        grade_level
    from results
)

{{ subgroup_cells('scoped_results', ['scope', 'school_key', 'school_year', 'academic_subject'], [
    'count(case when is_tested then 1 end) as n_tested',
    'sum(case when is_tested and is_proficient then 1 else 0 end) as n_proficient',
], linked='is_linked') }}
