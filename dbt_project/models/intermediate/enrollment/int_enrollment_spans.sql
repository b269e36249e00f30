-- School enrollment spans. OneRoster has no school enrollment record (docs/oneroster.md), and
-- secondary schedules have no homerooms, so each student, school and school year takes its spans
-- from the first of these the export holds (span_source):
--   1. 'homeroom': the student's homeroom enrollments (an elementary school's enrollment record);
--   2. 'role': OneRoster 1.2 student roles at the school with a beginDate (roles.csv: the one
--      school-level record with dates in any layout districtwide reads);
--   3. 'classes': the union of the student's class enrollments at the school, first begin to
--      last end, split where the student is in no class for more than
--      var('enrollment_gap_school_days') instructional days of the school's calendar (a withdrawal
--      and re-entry; a semester break or a weekend between schedules is not one). A school with
--      no calendar has no school days to count, so its gaps never split; the blocking rule
--      school_calendar_missing names such a school.
-- An open end date runs to the end of the school year; a missing begin date from its start.
-- One set-based query (gaps and islands): it runs over every class enrollment of the district.
with enrollments as (
    select * from {{ ref('stg_sis__enrollments') }}
    where enrollment_role = 'student'
),

classes as (
    select * from {{ ref('stg_sis__classes') }}
),

roles as (
    select * from {{ ref('stg_sis__roles') }}
    where user_role = 'student' and begin_date is not null
),

sessions as (
    select * from {{ ref('int_school_years') }}
),

-- Every span is of one school year, and every step below is within it: a year build
-- (macros/school_years.sql) builds the built years' spans from those years alone.
years as (
    select * from sessions
    where session_type = 'schoolyear' and {{ in_built_school_years('school_year') }}
),

students as (
    select * from {{ ref('int_sis_students') }}
),

-- A class's or role's school as OneRoster names it, or the school above a department named instead.
org_schools as (
    select * from {{ ref('int_sis_org_schools') }}
),

school_days as (
    select
        school_id,
        calendar_date
    from {{ ref('int_school_calendar') }}
    where is_instructional
),

class_enrollments as (
    select
        students.student_key,
        students.local_id,
        org_schools.school_id,
        years.school_year,
        case when classes.class_type = 'homeroom' then 1 else 3 end as source_rank,
        coalesce(enrollments.begin_date, years.start_date) as entry_date,
        coalesce(enrollments.end_date, years.end_date) as exit_date
    from enrollments
    inner join classes on enrollments.section_id = classes.section_id
    inner join sessions on {{ dbt.split_part('classes.term_ids', "','", 1) }} = sessions.session_id
    inner join years on sessions.school_year = years.school_year
    inner join students on enrollments.user_id = students.user_id
    inner join org_schools on classes.school_id = org_schools.org_id and org_schools.school_id is not null
),

-- A role holds from its beginDate until its endDate, in every school year it overlaps.
role_enrollments as (
    select
        students.student_key,
        students.local_id,
        org_schools.school_id,
        years.school_year,
        2 as source_rank,
        case when roles.begin_date > years.start_date then roles.begin_date else years.start_date end as entry_date,
        case when roles.end_date < years.end_date then roles.end_date else years.end_date end as exit_date
    from roles
    inner join students on roles.user_id = students.user_id
    inner join org_schools on roles.org_id = org_schools.org_id and org_schools.school_id is not null
    inner join years
        on roles.begin_date <= years.end_date
        and (roles.end_date is null or roles.end_date >= years.start_date)
),

-- Each record once (union, not union all): a student's classes mostly share their dates, and
-- the windows below then sort about half the rows.
candidates as (
    select * from class_enrollments
    union
    select * from role_enrollments
),

-- Per student, school and school year, the best source present (a grouping: cheaper than a
-- window over every record at 100,000 students).
best_sources as (
    select
        student_key,
        school_id,
        school_year,
        min(source_rank) as best_rank
    from candidates
    group by student_key, school_id, school_year
),

chosen as (
    select candidates.*
    from candidates
    inner join best_sources
        on candidates.student_key = best_sources.student_key
        and candidates.school_id = best_sources.school_id
        and candidates.school_year = best_sources.school_year
        and candidates.source_rank = best_sources.best_rank
),

record_spans as (
    select distinct
        student_key,
        local_id,
        school_id,
        school_year,
        entry_date,
        exit_date,
        case when source_rank = 1 then 'homeroom' else 'role' end as span_source
    from chosen
    where source_rank < 3
),

-- Class enrollments in order; reached = the latest end of the ones before. A row that starts
-- after every earlier one ended opens a gap.
ordered as (
    select
        student_key,
        local_id,
        school_id,
        school_year,
        entry_date,
        exit_date,
        row_number() over class_order as row_no,
        -- The frame spelled out: Spark cannot extend a named window.
        max(exit_date) over (
            partition by student_key, school_id, school_year order by entry_date, exit_date
            rows between unbounded preceding and 1 preceding
        ) as reached
    from chosen
    where source_rank = 3
    window class_order as (
        partition by student_key, school_id, school_year order by entry_date, exit_date
    )
),

-- The school days inside each gap (only gaps are joined to the calendar: they are few).
gap_days as (
    select
        ordered.student_key,
        ordered.school_id,
        ordered.school_year,
        ordered.row_no,
        count(school_days.calendar_date) as school_days_between
    from ordered
    left join school_days
        on ordered.school_id = school_days.school_id
        and school_days.calendar_date > ordered.reached
        and school_days.calendar_date < ordered.entry_date
    where ordered.reached < ordered.entry_date
    group by 1, 2, 3, 4
),

islands as (
    select
        ordered.*,
        sum(
            case when gap_days.school_days_between > {{ var('enrollment_gap_school_days', 10) | int }} then 1 else 0 end
        ) over (
            partition by ordered.student_key, ordered.school_id, ordered.school_year
            order by ordered.row_no rows between unbounded preceding and current row
        ) as island_no
    from ordered
    left join gap_days
        on ordered.student_key = gap_days.student_key
        and ordered.school_id = gap_days.school_id
        and ordered.school_year = gap_days.school_year
        and ordered.row_no = gap_days.row_no
),

class_spans as (
    select
        student_key,
        local_id,
        school_id,
        school_year,
        min(entry_date) as entry_date,
        max(exit_date) as exit_date,
        'classes' as span_source
    from islands
    group by student_key, local_id, school_id, school_year, island_no
),

spans as (
    select * from record_spans
    union all
    select * from class_spans
)

select
    student_key,
    local_id,
    school_id,
    {{ surrogate_key(["'school'", 'school_id']) }} as school_key,
    school_year,
    entry_date,
    exit_date,
    span_source
from spans
