{%- set columns = ['sourcedId', 'status', 'dateLastModified', 'birthDate', 'sex', 'americanIndianOrAlaskaNative', 'asian', 'blackOrAfricanAmerican', 'nativeHawaiianOrOtherPacificIslander', 'white', 'demographicRaceTwoOrMoreRaces', 'hispanicOrLatinoEthnicity', 'countryOfBirthCode', 'stateOfBirthAbbreviation', 'cityOfBirth', 'publicSchoolResidenceStatus'] -%}
{%- set race_flags = ['americanIndianOrAlaskaNative', 'asian', 'blackOrAfricanAmerican', 'nativeHawaiianOrOtherPacificIslander', 'white'] -%}
with raw as (
    select * from {{ latest_loads(source('raw_sis', 'demographics'), 'sis__demographics', copies_of=columns, manifest_file='demographics', key='sourcedId') }}
),

sexes as (
    select local_code, sex as mapped_sex from {{ ref('sex_codes') }} where {{ code_key('source') }} = 'ONEROSTER'
),

races as (
    select * from {{ ref('race_ethnicity') }}
),

typed as (
    select
        {{ row_lineage(columns, key='sourcedId') }},
        {{ oneroster_status() }},
        {{ clean_text('raw."sourcedId"') }} as student_id,
        {{ safe_date('raw."birthDate"') }} as birth_date,
        sexes.mapped_sex as sex,
        {%- for flag in race_flags + ['demographicRaceTwoOrMoreRaces', 'hispanicOrLatinoEthnicity'] %}
        lower(coalesce(trim(raw."{{ flag }}"), '')) = 'true' as is_{{ flag | lower }},
        {%- endfor %}
        (
            {%- for flag in race_flags %}
            case when lower(coalesce(trim(raw."{{ flag }}"), '')) = 'true' then 1 else 0 end{% if not loop.last %} +{% endif %}
            {%- endfor %}
        ) as _race_count,
        {{ clean_text('raw."birthDate"') }} is null as _birth_missing,
        {{ clean_text('raw."sex"') }} is null as _sex_missing
    from raw
    left join sexes on {{ code_key('raw."sex"') }} = {{ code_key('sexes.local_code') }}
),

categorised as (
    select
        typed.*,
        case
            when is_hispanicorlatinoethnicity then 'hispanicOrLatinoEthnicity'
            when _race_count > 1 or is_demographicracetwoormoreraces then 'demographicRaceTwoOrMoreRaces'
            {%- for flag in race_flags %}
            when is_{{ flag | lower }} then '{{ flag }}'
            {%- endfor %}
        end as _race_flag
    from typed
),

checked as (
    select
        categorised.*,
        races.race_ethnicity,
        {{ quarantine_rules(oneroster_rules('student_id') + [
            ['birth_date is null and not _birth_missing', 'birthDate', 'malformed date'],
            ['sex is null and not _sex_missing', 'sex', 'unmapped sex code'],
        ]) }}
    from categorised
    left join races on {{ code_key('categorised._race_flag') }} = {{ code_key('races.oneroster_flag') }}
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
