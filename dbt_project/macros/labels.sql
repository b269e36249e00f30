{#- A source domain (audit.file_loads.source, quality_results.domain, a quarantine's
    source_system) as the dashboards name it: the district's words, not the folder's. -#}
{% macro source_label(expr) -%}
    case {{ expr }}
        when 'sis' then 'Student information system'
        when 'attendance' then 'Attendance'
        when 'assessment' then 'Assessments'
        else {{ expr }}
    end
{%- endmacro %}

{#- A reporting subgroup (macro student_subgroups: the dim_student column a cell splits on) in
    words; a subgroup added later reads as its column name with spaces until it is named here. -#}
{% macro subgroup_label(expr) -%}
    case {{ expr }}
        when 'all_students' then 'All students'
        when 'race_ethnicity' then 'Race and ethnicity'
        when 'sex' then 'Sex'
        when 'is_english_learner' then 'English learners'
        when 'has_disability' then 'Disability'
        when 'is_low_income' then 'Income'
        when 'grade_level' then 'Grade'
        else upper(substr({{ expr }}, 1, 1)) || replace(substr({{ expr }}, 2), '_', ' ')
    end
{%- endmacro %}
