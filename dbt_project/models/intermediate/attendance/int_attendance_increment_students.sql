-- The students the attendance increments of this build merge (connectors/increments.py) touch:
-- those their rows and the rows they supersede (any row with a key they carry) are linked to.
-- The student-level marts delete and build again only these students' rows on a merge
-- (`attendance_increment_students`): a day's exceptions change only their own students' days
-- absent, enrolled days coming from the spans and the calendar. Empty in a full build. A table
-- of its own: each merging mart reads it twice (its delete, its rows), and finding the students
-- scans every exception.
select distinct identities.student_key
from {{ ref('base_attendance__exceptions') }} as touched
inner join {{ ref('int_identity_matches') }} as identities
    on identities.source_system = 'attendance'
    and touched.att_student_id = identities.source_person_id
where identities.student_key is not null and touched._line_number in (
    select increment._line_number
    from {{ ref('base_attendance__exceptions') }} as increment
    {#- Read when the model runs, not when dbt parses it: dbt re-parses a file whose
        environment variables changed, and writes its whole parse cache again (~0.5 s a merge). #}
    where increment._load_id in ({% if execute %}{{ attendance_new_loads() }}{% else %}null{% endif %})
)
