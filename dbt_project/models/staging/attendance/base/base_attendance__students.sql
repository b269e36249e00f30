{%- set columns = ['StuNum', 'LastName', 'FirstName', 'MiddleInit', 'BirthDate', 'Gender', 'Grade', 'SchoolCode', 'SisNumber', 'StateID'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_attendance', 'students'), 'attendance__students', copies_of=columns) }}
),

grades as (
    select * from {{ ref('grade_levels') }} where {{ code_key('source') }} = 'ATTENDANCE'
),

sexes as (
    select * from {{ ref('sex_codes') }} where {{ code_key('source') }} = 'ATTENDANCE'
),

schools as (
    {{ resolve_schools('attendance', 'raw', 'SchoolCode') }}
),

typed as (
    select
        raw._load_id,
        raw._source_file,
        raw._line_number,
        {{ clean_text('raw."StuNum"') }} as att_student_id,
        {{ clean_text('raw."LastName"') }} as last_name,
        {{ clean_text('raw."FirstName"') }} as first_name,
        {{ clean_text('raw."MiddleInit"') }} as middle_initial,
        {{ safe_date('raw."BirthDate"') }} as birth_date,
        sexes.sex,
        grades.grade_level,
        grades.grade_number,
        {{ clean_text('raw."SchoolCode"') }} as att_school_code,
        schools.school_id,
        schools.school_match,
        {{ clean_text('raw."SisNumber"') }} as sis_local_id,
        {{ clean_text('raw."StateID"') }} as state_id,
        {{ clean_text('raw."BirthDate"') }} is null as _birth_missing,
        raw._copy_number,
        row_number() over (partition by {{ clean_text('raw."StuNum"') }} order by raw._line_number) as _key_number,
        {{ raw_record(columns) }} as _raw_record
    from raw
    left join grades on {{ code_key('raw."Grade"') }} = {{ code_key('grades.local_code') }}
    left join sexes on {{ code_key('raw."Gender"') }} = {{ code_key('sexes.local_code') }}
    left join schools on {{ clean_text('raw."SchoolCode"') }} = schools.vendor_value
),

checked as (
    select
        *,
        {{ quarantine_rules([
            ['_copy_number > 1', '*', 'duplicate row'],
            ['att_student_id is null', 'StuNum', 'missing student number'],
            ['_key_number > 1', 'StuNum', 'student number repeated with different values'],
            ['birth_date is null and not _birth_missing', 'BirthDate', 'malformed date'],
            ['school_id is null', 'SchoolCode', 'school not in the school crosswalk'],
        ]) }}
    from typed
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
