-- Grain: one row per school, school year, state test subject and subgroup value (plus the
-- all-students row): students tested and proficient on the state test, small cells suppressed
-- (macros/suppression.sql). The grade subgroup is the grade tested.
with results as (
    select * from {{ ref('fct_assessment_result') }}
    where assessment = 'state'
),

students as (
    select * from {{ ref('dim_student') }}
),

result_rows as (
    select
        results.school_key,
        results.school_year,
        results.academic_subject,
        results.is_tested,
        results.is_proficient,
        students.race_ethnicity,
        students.sex,
        students.is_english_learner,
        students.has_disability,
        students.is_low_income,
        results.grade_level
    from results
    inner join students on results.student_key = students.student_key
),

cells as (
    {{ subgroup_cells('result_rows', ['school_key', 'school_year', 'academic_subject'], [
        'count(case when is_tested then 1 end) as n_tested',
        'sum(case when is_proficient then 1 else 0 end) as n_proficient',
        'count(case when not is_tested then 1 end) as n_not_tested',
    ]) }}
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
