{#- The attendance system's school calendar (PowerSchool CALENDAR_DAY style): a day is instructional
    when the school is in session (InSession yes/1). The school code maps through the school crosswalk, like the
    exceptions'. #}
{%- set columns = ['SchoolCode', 'CalendarDate', 'InSession', 'MembershipValue', 'DayType', 'Note'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_attendance', 'calendar'), 'attendance__calendar', copies_of=columns) }}
),

schools as (
    {{ resolve_schools('attendance', 'raw', 'SchoolCode') }}
),

typed as (
    select
        raw._load_id,
        raw._source_file,
        raw._line_number,
        {{ clean_text('raw."SchoolCode"') }} as att_school_code,
        schools.school_id,
        schools.school_match,
        {{ safe_date('raw."CalendarDate"') }} as calendar_date,
        {{ clean_text('raw."DayType"') }} as day_type,
        {{ yes_no_flag('raw."InSession"') }} as is_instructional,
        {{ safe_numeric('raw."MembershipValue"') }} as membership_value,
        {{ clean_text('raw."MembershipValue"') }} is null as _membership_missing,
        {{ clean_text('raw."Note"') }} as note,
        raw._copy_number,
        row_number() over (
            partition by {{ clean_text('raw."SchoolCode"') }}, {{ clean_text('raw."CalendarDate"') }}
            order by raw._line_number
        ) as _key_number,
        {{ raw_record(columns) }} as _raw_record
    from raw
    left join schools on {{ clean_text('raw."SchoolCode"') }} = schools.vendor_value
),

checked as (
    select
        *,
        case when is_instructional then 'Instructional day' else 'Non-instructional day' end
            as calendar_event,
        {{ quarantine_rules([
            ['_copy_number > 1', '*', 'duplicate row'],
            ['att_school_code is null', 'SchoolCode', 'missing school'],
            ['school_id is null', 'SchoolCode', 'school not in the school crosswalk'],
            ['calendar_date is null', 'CalendarDate', 'malformed date'],
            ['_key_number > 1', 'CalendarDate', 'school and date repeated with different values'],
            ['is_instructional is null', 'InSession', 'not a yes/no value'],
            ['membership_value is null and not _membership_missing', 'MembershipValue', 'malformed number'],
        ]) }}
    from typed
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
