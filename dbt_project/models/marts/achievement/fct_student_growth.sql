-- Grain: one row per student, school year and MAP subject: RIT score and percentile in the fall,
-- winter and spring windows, and the RIT change between windows (NULL when a window is missing).
-- A student tested twice in one window keeps the latest test of that window. The class of record
-- is the section of the subject the student was enrolled in on the latest test date (a student who
-- changed class mid-year counts for the class that saw the spring test), else the student's last
-- section of that subject in the year.
with results as (
    select * from {{ ref('fct_assessment_result') }}
    where assessment = 'map' and {{ in_built_school_years('school_year') }}
),

section_enrollments as (
    select * from {{ ref('fct_section_enrollment') }}
    where academic_subject is not null and {{ in_built_school_years('school_year') }}
),

ranked as (
    select
        student_key,
        school_year,
        academic_subject,
        school_key,
        grade_level,
        season,
        term_order,
        test_date,
        scale_score,
        percentile,
        row_number() over (
            partition by student_key, school_year, academic_subject, term_order
            order by test_date desc, assessment_result_key asc
        ) as n_in_window
    from results
),

windows as (
    select
        student_key,
        school_year,
        academic_subject,
        school_key,
        grade_level,
        term_order,
        test_date,
        scale_score,
        percentile,
        row_number() over (
            partition by student_key, school_year, academic_subject
            order by term_order desc
        ) as n_from_latest
    from ranked
    where n_in_window = 1
),

pivoted as (
    select
        student_key,
        school_year,
        academic_subject,
        max(case when n_from_latest = 1 then school_key end) as school_key,
        max(case when n_from_latest = 1 then grade_level end) as grade_level,
        max(case when term_order = 1 then test_date end) as fall_test_date,
        max(case when term_order = 2 then test_date end) as winter_test_date,
        max(case when term_order = 3 then test_date end) as spring_test_date,
        max(case when term_order = 1 then scale_score end) as fall_rit,
        max(case when term_order = 2 then scale_score end) as winter_rit,
        max(case when term_order = 3 then scale_score end) as spring_rit,
        max(case when term_order = 1 then percentile end) as fall_percentile,
        max(case when term_order = 2 then percentile end) as winter_percentile,
        max(case when term_order = 3 then percentile end) as spring_percentile
    from windows
    group by 1, 2, 3
),

class_of_record as (
    select
        pivoted.student_key,
        pivoted.school_year,
        pivoted.academic_subject,
        section_enrollments.section_key,
        section_enrollments.teacher_key,
        row_number() over (
            partition by pivoted.student_key, pivoted.school_year, pivoted.academic_subject
            order by
                case
                    when section_enrollments.begin_date <= coalesce(pivoted.spring_test_date, pivoted.winter_test_date, pivoted.fall_test_date)
                        and (
                            section_enrollments.end_date is null
                            or section_enrollments.end_date >= coalesce(pivoted.spring_test_date, pivoted.winter_test_date, pivoted.fall_test_date)
                        )
                        then 0
                    else 1
                end,
                section_enrollments.begin_date desc,
                section_enrollments.section_key asc
        ) as n_candidate
    from pivoted
    inner join section_enrollments
        on pivoted.student_key = section_enrollments.student_key
        and pivoted.school_year = section_enrollments.school_year
        and pivoted.academic_subject = section_enrollments.academic_subject
),

with_class as (
    select
        pivoted.student_key,
        pivoted.school_year,
        pivoted.academic_subject,
        pivoted.school_key,
        pivoted.grade_level,
        pivoted.fall_test_date,
        pivoted.winter_test_date,
        pivoted.spring_test_date,
        pivoted.fall_rit,
        pivoted.winter_rit,
        pivoted.spring_rit,
        pivoted.fall_percentile,
        pivoted.winter_percentile,
        pivoted.spring_percentile,
        class_of_record.section_key,
        class_of_record.teacher_key
    from pivoted
    left join class_of_record
        on pivoted.student_key = class_of_record.student_key
        and pivoted.school_year = class_of_record.school_year
        and pivoted.academic_subject = class_of_record.academic_subject
        and class_of_record.n_candidate = 1
)

select
    {{ surrogate_key(['student_key', 'school_year', 'academic_subject']) }} as student_growth_key,
    student_key,
    school_year,
    academic_subject,
    school_key,
    grade_level,
    section_key,
    teacher_key,
    fall_test_date,
    winter_test_date,
    spring_test_date,
    fall_rit,
    winter_rit,
    spring_rit,
    fall_percentile,
    winter_percentile,
    spring_percentile,
    winter_rit - fall_rit as rit_change_fall_to_winter,
    spring_rit - winter_rit as rit_change_winter_to_spring,
    spring_rit - fall_rit as rit_change_fall_to_spring,
    spring_percentile - fall_percentile as percentile_change_fall_to_spring
from with_class
