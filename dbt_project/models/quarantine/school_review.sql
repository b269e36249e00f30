-- The steward's review list of schools: vendor school codes and names that matched no SIS school
-- or several (audit.school_crosswalk_report); their rows are in quarantine with reason 'school not
-- in the school crosswalk' until a row for them is added to config/crosswalks/school_crosswalk.csv.
select
    source_system,
    vendor_school,
    school_match,
    n_rows,
    action
from {{ ref('school_crosswalk_report') }}
where school_match in ('ambiguous', 'unmatched')
