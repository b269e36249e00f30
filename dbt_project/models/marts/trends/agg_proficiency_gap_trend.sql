-- Grain: one row per scope (the district, or one school), school year, state test subject and
-- subgroup value (plus the all-students row): proficiency, the gap between the subgroup and the
-- rest of the students, and the change of both from the year before, for "is the gap closing?".
--   gap_points: the subgroup's proficiency rate minus that of the other linked students of the
--     same subgroup (English learners against non-English learners; Hispanic or Latino students
--     against every other race/ethnicity), in percentage points. Only the student subgroups have
--     one: all students and the grade tested have no rest.
--   Counting: int_proficiency_cells_by_scope, as agg_proficiency_by_school counts, so the school
--     rows equal that mart's cells.
-- Small cells suppressed (macros/suppression.sql); the rest's rate and the gap are NULL too when
-- the rest has fewer than var('min_cell_size') tested students (it would show the subgroup's
-- complement). A change needs both years shown.
{%- set min_n = var('min_cell_size', 10) | int %}
with cells as (
    select * from {{ ref('int_proficiency_cells_by_scope') }}
),

-- The rest of a cell: the other values of the same subgroup (linked results only).
with_rest as (
    select
        cells.*,
        sum(n_tested) over same_subgroup - n_tested as n_tested_rest,
        sum(n_proficient) over same_subgroup - n_proficient as n_proficient_rest
    from cells
    window same_subgroup as (partition by scope, school_key, school_year, academic_subject, subgroup)
),

rated as (
    select
        scope,
        school_key,
        school_year,
        academic_subject,
        subgroup,
        subgroup_value,
        n_tested,
        n_proficient,
        {{ ratio('n_proficient', 'n_tested') }} as proficiency_rate,
        case
            when subgroup in ('{{ student_attribute_subgroups() | join("', '") }}') and n_tested_rest >= {{ min_n }}
                then {{ ratio('n_proficient_rest', 'n_tested_rest') }}
        end as rest_proficiency_rate
    from with_rest
),

gapped as (
    select
        rated.*,
        100 * (proficiency_rate - rest_proficiency_rate) as gap_points
    from rated
),

suppressed as (
    {{ suppress_small_cells(
        'gapped',
        columns=['scope', 'school_key', 'school_year', 'academic_subject', 'subgroup', 'subgroup_value'],
        value_columns=['n_tested', 'n_proficient', 'proficiency_rate', 'rest_proficiency_rate', 'gap_points'],
        partition_by=['scope', 'school_key', 'school_year', 'academic_subject', 'subgroup'],
        n_column='n_tested',
    ) }}
)

select
    {{ surrogate_key(['suppressed.scope', 'suppressed.school_key', 'suppressed.school_year', 'suppressed.academic_subject', 'suppressed.subgroup', 'suppressed.subgroup_value']) }} as proficiency_gap_trend_key,
    suppressed.scope,
    suppressed.school_key,
    suppressed.school_year,
    suppressed.academic_subject,
    suppressed.subgroup,
    suppressed.subgroup_value,
    suppressed.n_tested,
    suppressed.n_proficient,
    suppressed.proficiency_rate,
    suppressed.rest_proficiency_rate,
    suppressed.gap_points,
    last_year.proficiency_rate as prior_year_proficiency_rate,
    100 * (suppressed.proficiency_rate - last_year.proficiency_rate) as proficiency_change_points,
    last_year.gap_points as prior_year_gap_points,
    suppressed.gap_points - last_year.gap_points as gap_change_points,
    suppressed.is_suppressed,
    suppressed.suppression_reason
from suppressed
left join suppressed as last_year
    on suppressed.scope = last_year.scope
    and coalesce(suppressed.school_key, 0) = coalesce(last_year.school_key, 0)
    and suppressed.school_year - 1 = last_year.school_year
    and suppressed.academic_subject = last_year.academic_subject
    and suppressed.subgroup = last_year.subgroup
    and suppressed.subgroup_value = last_year.subgroup_value
