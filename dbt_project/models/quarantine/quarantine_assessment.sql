-- Every assessment row kept out of the marts, with its reason (see quarantine_attendance).
{{ quarantined_rows('assessment', 'assessment__state_results', 'state_results', 'base_assessment__state_results') }}
union all
{{ quarantined_rows('assessment', 'assessment__map_results', 'map_results', 'base_assessment__map_results') }}
union all
{{ quarantined_rows('assessment', 'assessment__benchmark_results', 'benchmark_results', 'base_assessment__benchmark_results') }}
{#- The CDF's companion files have no staging rules of their own: only their unreadable lines. #}
{%- for entity in ['map_students', 'map_class_assignments'] %}
union all
select
    'assessment' as source_system,
    '{{ entity }}' as entity,
    rejects._load_id as load_id,
    rejects._source_file as source_file,
    rejects._line_number as line_number,
    'parse' as stage,
    'unreadable line: ' || lower(rejects._error_type) as reason,
    rejects._column as column_name,
    replace(replace(rejects._raw_line, chr(13), ''), chr(10), '') as raw_record
from {{ latest_loads(source('raw_assessment', entity ~ '__rejects'), 'assessment__' ~ entity) }} as rejects
{%- endfor %}
union all
select
    'assessment' as source_system,
    assessment || '_results' as entity,
    _load_id as load_id,
    _source_file as source_file,
    _line_number as line_number,
    'conform' as stage,
    _conform_reason as reason,
    case assessment when 'state' then 'SASID' when 'map' then 'StudentID' else 'LocalID' end as column_name,
    cast(null as {{ dbt.type_string() }}) as raw_record
from {{ ref('int_assessment_results_linked') }}
where _conform_reason is not null
