-- Every SIS row that did not reach staging, with the rule it failed and where it came from.
{%- set entities = ['manifest', 'orgs', 'academic_sessions', 'courses', 'classes', 'users', 'roles', 'enrollments', 'demographics', 'programs', 'calendar'] %}
{#- OneRoster files whose loads the manifest governs (bulk, delta, absent), by manifest name. #}
{%- set manifest_files = {'orgs': 'orgs', 'academic_sessions': 'academicSessions', 'courses': 'courses', 'classes': 'classes', 'users': 'users', 'roles': 'roles', 'enrollments': 'enrollments', 'demographics': 'demographics'} %}
{% for entity in entities %}
{{ quarantined_rows('sis', 'sis__' ~ entity, entity, 'base_sis__' ~ entity, manifest_files.get(entity)) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
