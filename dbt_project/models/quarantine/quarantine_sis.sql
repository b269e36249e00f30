-- Every SIS row that did not reach staging, with the rule it failed and where it came from.
{%- set entities = ['manifest', 'orgs', 'academic_sessions', 'courses', 'classes', 'users', 'enrollments', 'demographics', 'programs', 'calendar'] %}
{% for entity in entities %}
{{ quarantined_rows('sis', 'sis__' ~ entity, entity, 'base_sis__' ~ entity) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
