-- Every attendance row kept out of the marts: unreadable lines and failed staging rules
-- (stage parse/staging), and exceptions that could not be tied to an enrolled student-day
-- (stage conform).
{{ quarantined_rows('attendance', 'attendance__students', 'students', 'base_attendance__students') }}
union all
{{ quarantined_rows('attendance', 'attendance__exceptions', 'exceptions', 'base_attendance__exceptions') }}
union all
{{ quarantined_rows('attendance', 'attendance__calendar', 'calendar', 'base_attendance__calendar') }}
union all
select
    'attendance' as source_system,
    'exceptions' as entity,
    _load_id as load_id,
    _source_file as source_file,
    _line_number as line_number,
    'conform' as stage,
    _conform_reason as reason,
    'StuNum' as column_name,
    cast(null as {{ dbt.type_string() }}) as raw_record
from {{ ref('int_attendance_events') }}
where _conform_reason is not null
