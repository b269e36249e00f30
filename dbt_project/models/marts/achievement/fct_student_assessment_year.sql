-- Grain: one row per student, school year and academic subject with a state test or a headline
-- benchmark result: the state test beside the student's benchmarks of that year (MAP's RIT and
-- every benchmark layout's headline measure), read from the one conformed fact, so a new
-- benchmark vendor appears here unchanged.
with results as (
    select * from {{ ref('fct_assessment_result') }}
    where {{ in_built_school_years('school_year') }}
),

state_tests as (
    select
        student_key,
        school_year,
        academic_subject,
        scale_score,
        achievement_level,
        is_proficient,
        row_number() over (
            partition by student_key, school_year, academic_subject
            order by assessment_result_key
        ) as n_result
    from results
    where assessment = 'state'
),

-- A benchmark's headline: MAP's RIT (one scale per subject row), a benchmark's 'Overall'.
benchmarks as (
    select
        student_key,
        school_year,
        academic_subject,
        assessment_name,
        measure,
        score_scale,
        season,
        test_date,
        scale_score,
        percentile,
        achievement_level,
        not_tested_reason,
        row_number() over (
            partition by student_key, school_year, academic_subject
            order by test_date desc, assessment_result_key asc
        ) as n_from_latest,
        count(*) over (
            partition by student_key, school_year, academic_subject
        ) as n_benchmark_results
    from results
    where assessment = 'map' or (assessment = 'benchmark' and measure = 'Overall')
),

student_years as (
    select student_key, school_year, academic_subject from state_tests
    union
    select student_key, school_year, academic_subject from benchmarks
)

select
    {{ surrogate_key(['student_years.student_key', 'student_years.school_year', 'student_years.academic_subject']) }} as student_assessment_year_key,
    student_years.student_key,
    student_years.school_year,
    student_years.academic_subject,
    state_tests.scale_score as state_scale_score,
    state_tests.achievement_level as state_achievement_level,
    state_tests.is_proficient as state_is_proficient,
    benchmarks.assessment_name as latest_benchmark,
    benchmarks.score_scale as latest_benchmark_scale,
    benchmarks.season as latest_benchmark_season,
    benchmarks.test_date as latest_benchmark_date,
    benchmarks.scale_score as latest_benchmark_score,
    benchmarks.percentile as latest_benchmark_percentile,
    benchmarks.achievement_level as latest_benchmark_level,
    benchmarks.not_tested_reason as latest_benchmark_not_tested_reason,
    coalesce(benchmarks.n_benchmark_results, 0) as n_benchmark_results
from student_years
left join state_tests
    on student_years.student_key = state_tests.student_key
    and student_years.school_year = state_tests.school_year
    and student_years.academic_subject = state_tests.academic_subject
    and state_tests.n_result = 1
left join benchmarks
    on student_years.student_key = benchmarks.student_key
    and student_years.school_year = benchmarks.school_year
    and student_years.academic_subject = benchmarks.academic_subject
    and benchmarks.n_from_latest = 1
