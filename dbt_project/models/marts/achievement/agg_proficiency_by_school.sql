-- Grain: one row per school, school year, state test subject and subgroup value (plus the
-- all-students row): students tested and proficient on the state test, small cells suppressed
-- (macros/suppression.sql). All students and the grade subgroup (the grade tested) count every
-- result the file attributes to the school, linked to a SIS student or not; the student
-- subgroups (race/ethnicity, sex, programs) can only count linked students
-- (int_state_results_by_school).
with result_rows as (
    select * from {{ ref('int_state_results_by_school') }}
),

cells as (
    {{ subgroup_cells('result_rows', ['school_key', 'school_year', 'academic_subject'], [
        'count(case when is_tested then 1 end) as n_tested',
        'sum(case when is_tested and is_proficient then 1 else 0 end) as n_proficient',
        'count(case when not is_tested then 1 end) as n_not_tested',
    ], linked='is_linked') }}
),

rated as (
    select
        {{ surrogate_key(['school_key', 'school_year', 'academic_subject', 'subgroup', 'subgroup_value']) }} as proficiency_by_school_key,
        school_key,
        school_year,
        academic_subject,
        subgroup,
        subgroup_value,
        n_tested,
        n_proficient,
        n_not_tested,
        {{ ratio('n_proficient', 'n_tested') }} as proficiency_rate
    from cells
),

with_gap as (
    select
        rated.*,
        rated.proficiency_rate - max(case when rated.subgroup = 'all_students' then rated.proficiency_rate end) over (
            partition by rated.school_key, rated.school_year, rated.academic_subject
        ) as gap_to_all_students
    from rated
),

suppressed as (
    {{ suppress_small_cells(
        'with_gap',
        columns=['proficiency_by_school_key', 'school_key', 'school_year', 'academic_subject', 'subgroup', 'subgroup_value'],
        value_columns=['n_tested', 'n_proficient', 'n_not_tested', 'proficiency_rate', 'gap_to_all_students'],
        partition_by=['school_key', 'school_year', 'academic_subject', 'subgroup'],
        n_column='n_tested',
    ) }}
)

select
    proficiency_by_school_key,
    school_key,
    school_year,
    academic_subject,
    subgroup,
    subgroup_value,
    n_tested,
    n_proficient,
    n_not_tested,
    proficiency_rate,
    gap_to_all_students,
    is_suppressed,
    suppression_reason
from suppressed
