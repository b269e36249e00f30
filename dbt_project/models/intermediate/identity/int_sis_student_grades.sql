-- The grade of every SIS student. OneRoster's users.grades is optional and real exports leave it
-- blank; enrollments carry no grade. In order:
--   1. users.grades, when given: the SIS's own statement of the student's grade;
--   2. the grade of the student's homeroom (its class grades, else its course's), when it names
--      one grade: a homeroom is the grade-level group the student is placed in;
--   3. the grade most of the student's other classes name (one grade each; class grades, else the
--      course's), the lower grade on a tie: a single class can be above grade (a 7th grader in
--      Algebra 8), the majority is not.
-- A student whose classes name no single grade keeps no grade (and is still a student).
with users as (
    select * from {{ ref('stg_sis__users') }}
    where user_role = 'student'
),

enrollments as (
    select * from {{ ref('stg_sis__enrollments') }}
    where enrollment_role = 'student'
),

classes as (
    select * from {{ ref('stg_sis__classes') }}
),

courses as (
    select * from {{ ref('stg_sis__courses') }}
),

grades as (
    select * from {{ ref('grade_levels') }} where {{ code_key('source') }} = 'ONEROSTER'
),

class_grades as (
    select
        enrollments.user_id,
        classes.class_type,
        grades.grade_level,
        grades.grade_number
    from enrollments
    inner join classes on enrollments.section_id = classes.section_id
    left join courses on classes.course_id = courses.course_id
    inner join grades
        on {{ code_key('coalesce(classes.grade_codes, courses.grade_codes)') }} = {{ code_key('grades.local_code') }}
),

ranked as (
    select
        user_id,
        grade_level,
        grade_number,
        row_number() over (
            partition by user_id
            order by max(case when class_type = 'homeroom' then 1 else 0 end) desc, count(*) desc, grade_number
        ) as grade_rank,
        max(case when class_type = 'homeroom' then 1 else 0 end) as from_homeroom
    from class_grades
    group by user_id, grade_level, grade_number
)

select
    users.user_id,
    coalesce(users.grade_level, ranked.grade_level) as grade_level,
    coalesce(users.grade_number, ranked.grade_number) as grade_number,
    case
        when users.grade_level is not null then 'users.grades'
        when ranked.from_homeroom = 1 then 'homeroom'
        when ranked.grade_level is not null then 'classes'
    end as grade_source
from users
left join ranked on users.user_id = ranked.user_id and ranked.grade_rank = 1
