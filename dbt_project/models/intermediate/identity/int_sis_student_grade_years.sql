-- The grade each SIS student's classes name in each school year (the year of the class's first
-- term). OneRoster's users.grades is the student's grade now: a prior year's grade can only come
-- from that year's classes. In order:
--   1. the grade of the student's homeroom that year (its class grades, else its course's), when
--      it names one grade: a homeroom is the grade-level group the student is placed in;
--   2. the grade most of the student's other classes of the year name (one grade each), the lower
--      grade on a tie: a single class can be above grade (a 7th grader in Algebra 8).
-- A student-year whose classes name no single grade has no row.
with enrollments as (
    select * from {{ ref('stg_sis__enrollments') }}
    where enrollment_role = 'student'
),

classes as (
    select * from {{ ref('stg_sis__classes') }}
),

courses as (
    select * from {{ ref('stg_sis__courses') }}
),

sessions as (
    select * from {{ ref('int_school_years') }}
),

grades as (
    select * from {{ ref('grade_levels') }} where {{ code_key('source') }} = 'ONEROSTER'
),

class_grades as (
    select
        enrollments.user_id,
        sessions.school_year,
        classes.class_type,
        grades.grade_level,
        grades.grade_number
    from enrollments
    inner join classes on enrollments.section_id = classes.section_id
    inner join sessions on {{ dbt.split_part('classes.term_ids', "','", 1) }} = sessions.session_id
    left join courses on classes.course_id = courses.course_id
    inner join grades
        on {{ code_key('coalesce(classes.grade_codes, courses.grade_codes)') }} = {{ code_key('grades.local_code') }}
),

ranked as (
    select
        user_id,
        school_year,
        grade_level,
        grade_number,
        max(case when class_type = 'homeroom' then 1 else 0 end) as from_homeroom,
        row_number() over (
            partition by user_id, school_year
            order by max(case when class_type = 'homeroom' then 1 else 0 end) desc, count(*) desc, grade_number
        ) as grade_rank
    from class_grades
    group by user_id, school_year, grade_level, grade_number
)

select
    user_id,
    school_year,
    grade_level,
    grade_number,
    case when from_homeroom = 1 then 'homeroom' else 'classes' end as grade_source
from ranked
where grade_rank = 1
