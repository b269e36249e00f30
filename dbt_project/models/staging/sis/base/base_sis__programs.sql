{%- set columns = ['studentSourcedId', 'programCode', 'beginDate', 'endDate', 'participating'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_sis', 'programs'), 'sis__programs', copies_of=columns) }}
),

programs as (
    select * from {{ ref('program_codes') }}
),

typed as (
    select
        raw._load_id,
        raw._source_file,
        raw._line_number,
        {{ clean_text('raw."studentSourcedId"') }} as student_id,
        {{ clean_text('raw."programCode"') }} as program_code,
        programs.program,
        programs.subgroup_column,
        -- A long list (student, program, dates) has no flag: each row is a participation.
        coalesce({{ yes_no_flag('raw."participating"') }}, {{ clean_text('raw."participating"') }} is null)
            as is_participating,
        {{ clean_text('raw."participating"') }} is not null
            and {{ yes_no_flag('raw."participating"') }} is null as _flag_unreadable,
        {{ safe_date('raw."beginDate"') }} as begin_date,
        {{ clean_text('raw."beginDate"') }} is null as _begin_missing,
        {{ clean_text('raw."participating"') }} is not null as _from_flags,
        {{ safe_date('raw."endDate"') }} as end_date,
        {{ clean_text('raw."endDate"') }} is null as _end_missing,
        raw._copy_number,
        {{ raw_record(columns) }} as _raw_record
    from raw
    left join programs on {{ code_key('raw."programCode"') }} = {{ code_key('programs.local_code') }}
),

checked as (
    select
        *,
        {{ quarantine_rules([
            ['_copy_number > 1', '*', 'duplicate row'],
            ['student_id is null', 'studentSourcedId', 'missing student'],
            ['program is null', 'programCode', 'unmapped program code'],
            ['_flag_unreadable', 'participating', 'not a yes/no value'],
            ['begin_date is null and not (_begin_missing and _from_flags)', 'beginDate', 'malformed date'],
            ['end_date is null and not _end_missing', 'endDate', 'malformed date'],
            ['end_date < begin_date', 'endDate', 'ends before it starts'],
        ]) }}
    from typed
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
