-- NWEA MAP CDF ClassAssignments: the classes and teachers a student had in a term, as MAP knew
-- them (one row per student, term, school and class), typed only: nothing here feeds a fact.
with raw as (
    select * from {{ latest_loads(source('raw_assessment', 'map_class_assignments'), 'assessment__map_class_assignments') }}
)

select
    _load_id,
    _source_file,
    _line_number,
    {{ clean_text('"TermName"') }} as term_name,
    {{ clean_text('"StudentID"') }} as local_id,
    {{ clean_text('"SchoolName"') }} as school_name,
    {{ clean_text('"ClassName"') }} as class_name,
    {{ clean_text('"TeacherName"') }} as teacher_name,
    {{ clean_text('"TeacherID"') }} as teacher_id
from raw
