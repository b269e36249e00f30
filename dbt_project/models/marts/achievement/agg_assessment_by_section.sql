-- Grain: one row per section (the class of record of a subject), school year, academic subject
-- and benchmark scale: the section's students' state test beside their benchmark result in that
-- benchmark's last window of the year. Read from the one conformed fact, so MAP, i-Ready, Star
-- and any new benchmark layout appear with no new SQL. Small cells are suppressed among the
-- sections of the same school, year, subject and benchmark scale (macros/suppression.sql).
with results as (
    select * from {{ ref('fct_assessment_result') }}
    where {{ in_built_school_years('school_year') }}
),

section_enrollments as (
    select * from {{ ref('fct_section_enrollment') }}
    where academic_subject is not null and {{ in_built_school_years('school_year') }}
),

-- The state test per student, year and subject: the first result, as in
-- fct_student_assessment_year.
state_tests as (
    select
        student_key,
        school_year,
        academic_subject,
        test_date,
        is_tested,
        is_proficient,
        row_number() over (
            partition by student_key, school_year, academic_subject
            order by assessment_result_key
        ) as n_result
    from results
    where assessment = 'state'
),

-- A benchmark's headline: MAP's RIT (one scale per subject row), a benchmark's 'Overall'.
headlines as (
    select * from results
    where assessment = 'map' or (assessment = 'benchmark' and measure = 'Overall')
),

-- Each benchmark scale's last window of the year: the latest window any of its results is in.
last_terms as (
    select
        school_year,
        academic_subject,
        assessment_name,
        score_scale,
        max(term_order) as term_order
    from headlines
    group by 1, 2, 3, 4
),

last_windows as (
    select
        last_terms.school_year,
        last_terms.academic_subject,
        last_terms.assessment_name,
        last_terms.score_scale,
        last_terms.term_order,
        max(headlines.season) as season
    from last_terms
    inner join headlines
        on last_terms.school_year = headlines.school_year
        and last_terms.academic_subject = headlines.academic_subject
        and last_terms.assessment_name = headlines.assessment_name
        and last_terms.score_scale = headlines.score_scale
        and last_terms.term_order = headlines.term_order
    group by 1, 2, 3, 4, 5
),

-- Each student's result in that window (the latest test of the window).
benchmarks as (
    select
        headlines.student_key,
        headlines.school_year,
        headlines.academic_subject,
        headlines.assessment_name,
        headlines.score_scale,
        headlines.test_date,
        headlines.is_tested,
        headlines.scale_score,
        headlines.percentile,
        row_number() over (
            partition by
                headlines.student_key,
                headlines.school_year,
                headlines.academic_subject,
                headlines.assessment_name,
                headlines.score_scale
            order by headlines.test_date desc, headlines.assessment_result_key asc
        ) as n_in_window
    from headlines
    inner join last_windows
        on headlines.school_year = last_windows.school_year
        and headlines.academic_subject = last_windows.academic_subject
        and headlines.assessment_name = last_windows.assessment_name
        and headlines.score_scale = last_windows.score_scale
        and headlines.term_order = last_windows.term_order
),

-- Students with a state test or a last-window benchmark result in the subject that year, and
-- the latest of those test dates.
student_subjects as (
    select
        student_key,
        school_year,
        academic_subject,
        max(test_date) as as_of_date
    from (
        select student_key, school_year, academic_subject, test_date
        from state_tests
        where n_result = 1
        union all
        select student_key, school_year, academic_subject, test_date
        from benchmarks
        where n_in_window = 1
    ) as tested
    group by 1, 2, 3
),

-- The class of record: the section of the subject the student was enrolled in on the latest
-- test date, else the student's last section of that subject in the year.
class_of_record as (
    select
        student_subjects.student_key,
        student_subjects.school_year,
        student_subjects.academic_subject,
        section_enrollments.section_key,
        section_enrollments.teacher_key,
        section_enrollments.school_key,
        row_number() over (
            partition by
                student_subjects.student_key,
                student_subjects.school_year,
                student_subjects.academic_subject
            order by
                case
                    when section_enrollments.begin_date <= student_subjects.as_of_date
                        and (
                            section_enrollments.end_date is null
                            or section_enrollments.end_date >= student_subjects.as_of_date
                        )
                        then 0
                    else 1
                end,
                section_enrollments.begin_date desc,
                section_enrollments.section_key asc
        ) as n_candidate
    from student_subjects
    inner join section_enrollments
        on student_subjects.student_key = section_enrollments.student_key
        and student_subjects.school_year = section_enrollments.school_year
        and student_subjects.academic_subject = section_enrollments.academic_subject
),

section_students as (
    select
        class_of_record.section_key,
        class_of_record.teacher_key,
        class_of_record.school_key,
        class_of_record.student_key,
        class_of_record.school_year,
        class_of_record.academic_subject,
        state_tests.is_tested as is_state_tested,
        state_tests.is_proficient as is_state_proficient
    from class_of_record
    left join state_tests
        on class_of_record.student_key = state_tests.student_key
        and class_of_record.school_year = state_tests.school_year
        and class_of_record.academic_subject = state_tests.academic_subject
        and state_tests.n_result = 1
    where class_of_record.n_candidate = 1
),

-- Every section beside each benchmark scale given in its subject that year (none: one row
-- with no benchmark), each student's result in the scale's last window.
student_cells as (
    select
        section_students.*,
        last_windows.assessment_name,
        last_windows.score_scale,
        last_windows.season as benchmark_season,
        benchmarks.is_tested as is_benchmark_tested,
        benchmarks.scale_score as benchmark_score,
        benchmarks.percentile as benchmark_percentile
    from section_students
    left join last_windows
        on section_students.school_year = last_windows.school_year
        and section_students.academic_subject = last_windows.academic_subject
    left join benchmarks
        on section_students.student_key = benchmarks.student_key
        and section_students.school_year = benchmarks.school_year
        and section_students.academic_subject = benchmarks.academic_subject
        and last_windows.assessment_name = benchmarks.assessment_name
        and last_windows.score_scale = benchmarks.score_scale
        and benchmarks.n_in_window = 1
),

cells as (
    select
        section_key,
        teacher_key,
        school_key,
        school_year,
        academic_subject,
        assessment_name as benchmark,
        score_scale as benchmark_scale,
        benchmark_season,
        count(*) as n_students,
        sum(case when is_state_tested then 1 else 0 end) as n_state_tested,
        sum(case when is_state_tested and is_state_proficient then 1 else 0 end)
            as n_state_proficient,
        sum(case when is_benchmark_tested then 1 else 0 end) as n_benchmark_tested,
        sum(case when is_state_tested and is_benchmark_tested then 1 else 0 end)
            as n_tested_on_both,
        avg(case when is_benchmark_tested then cast(benchmark_score as double precision) end)
            as mean_benchmark_score,
        avg(case when is_benchmark_tested then cast(benchmark_percentile as double precision) end)
            as mean_benchmark_percentile,
        avg(
            case
                when is_state_tested and is_state_proficient and is_benchmark_tested
                    then cast(benchmark_score as double precision)
            end
        ) as mean_benchmark_score_state_proficient,
        avg(
            case
                when is_state_tested and not is_state_proficient and is_benchmark_tested
                    then cast(benchmark_score as double precision)
            end
        ) as mean_benchmark_score_state_not_proficient
    from student_cells
    group by 1, 2, 3, 4, 5, 6, 7, 8
),

suppressed as (
    {{ keyed_and_suppressed(
        'cells',
        key_name='assessment_by_section_key',
        key_columns=['section_key', 'school_year', 'academic_subject', 'benchmark', 'benchmark_scale'],
        columns=[
            'section_key', 'teacher_key', 'school_key', 'school_year', 'academic_subject',
            'benchmark', 'benchmark_scale', 'benchmark_season',
        ],
        value_columns=[
            'n_students', 'n_state_tested', 'n_state_proficient', 'n_benchmark_tested',
            'n_tested_on_both', 'mean_benchmark_score', 'mean_benchmark_percentile',
            'mean_benchmark_score_state_proficient', 'mean_benchmark_score_state_not_proficient',
        ],
        derived=[[
            'state_proficiency_rate',
            'case when n_state_tested > 0 then cast(n_state_proficient as double precision) / n_state_tested end',
        ]],
        partition_by=['school_key', 'school_year', 'academic_subject', 'benchmark', 'benchmark_scale'],
        tiebreak='section_key',
    ) }}
)

select
    assessment_by_section_key,
    section_key,
    teacher_key,
    school_key,
    school_year,
    academic_subject,
    benchmark,
    benchmark_scale,
    benchmark_season,
    n_students,
    n_state_tested,
    n_state_proficient,
    state_proficiency_rate,
    n_benchmark_tested,
    n_tested_on_both,
    mean_benchmark_score,
    mean_benchmark_percentile,
    mean_benchmark_score_state_proficient,
    mean_benchmark_score_state_not_proficient,
    is_suppressed,
    suppression_reason
from suppressed
