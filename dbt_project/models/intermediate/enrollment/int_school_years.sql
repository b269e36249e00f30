-- School years from the SIS's academic sessions, with every session mapped to its year.
with sessions as (
    select * from {{ ref('stg_sis__academic_sessions') }}
)

select
    session_id,
    session_type,
    school_year,
    start_date,
    end_date
from sessions
