-- The grade of every SIS student now. OneRoster's users.grades is optional and real exports leave
-- it blank; enrollments carry no grade. In order:
--   1. users.grades, when given: the SIS's own statement of the student's grade;
--   2. the grade of the student's classes in the latest school year they have classes in
--      (int_sis_student_grade_years: the homeroom's, else most of the classes'). A prior year's
--      classes name a prior grade: only the latest year's say where the student is now.
-- A student whose classes name no single grade keeps no grade (and is still a student).
with users as (
    select * from {{ ref('stg_sis__users') }}
    where user_role = 'student'
),

grade_years as (
    select
        user_id,
        grade_level,
        grade_number,
        grade_source,
        row_number() over (partition by user_id order by school_year desc) as n_from_latest
    from {{ ref('int_sis_student_grade_years') }}
)

select
    users.user_id,
    coalesce(users.grade_level, grade_years.grade_level) as grade_level,
    coalesce(users.grade_number, grade_years.grade_number) as grade_number,
    case
        when users.grade_level is not null then 'users.grades'
        else grade_years.grade_source
    end as grade_source
from users
left join grade_years on users.user_id = grade_years.user_id and grade_years.n_from_latest = 1
