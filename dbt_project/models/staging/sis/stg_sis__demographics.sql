with base as (
    select * from {{ ref('base_sis__demographics') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    coalesce(record_status, 'active') <> 'inactive' as is_active,
    student_id,
    birth_date,
    sex,
    race_ethnicity,
    is_hispanicorlatinoethnicity as is_hispanic_or_latino,
    is_americanindianoralaskanative as is_american_indian_or_alaska_native,
    is_asian,
    is_blackorafricanamerican as is_black_or_african_american,
    is_nativehawaiianorotherpacificislander as is_native_hawaiian_or_pacific_islander,
    is_white,
    is_demographicracetwoormoreraces as is_two_or_more_races
from base
where {{ oneroster_current() }}
