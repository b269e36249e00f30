{%- set columns = ['TermName', 'DistrictName', 'SchoolName', 'StudentID', 'StudentLastName', 'StudentFirstName', 'StudentMI', 'StudentDateOfBirth', 'StudentGender', 'Grade', 'Subject', 'Course', 'TestType', 'TestName', 'TestStartDate', 'TestDurationMinutes', 'TestRITScore', 'TestStandardError', 'TestPercentile', 'AchievementQuintile'] -%}
{{ config(
    pre_hook="{{ delete_replaced_loads(latest_loads(source('raw_assessment', 'map_results'), 'assessment__map_results')) }}",
) }}
{#- The school year of a row's term is its partition (macros/school_years.sql): a year build reads
    that year's results only. -#}
with raw as (
    select * from {{ latest_loads('(select * from ' ~ source('raw_assessment', 'map_results') ~ ' where ' ~ in_built_school_years(map_term_school_year('"TermName"'), loads=latest_loads(source('raw_assessment', 'map_results'), 'assessment__map_results')) ~ ')', 'assessment__map_results', copies_of=columns) }}
),

grades as (
    select * from {{ ref('grade_levels') }} where {{ code_key('source') }} = 'MAP'
),

-- The CDF's AssessmentResults.csv has no names, birth date, gender or grade: StudentsBySchool.csv
-- has them per term and school (the combined export carries them inline, and wins).
map_students as (
    select
        {{ clean_text('"TermName"') }} as term_name,
        {{ clean_text('"StudentID"') }} as student_id,
        {{ clean_text('"SchoolName"') }} as school_name,
        {{ clean_text('"StudentLastName"') }} as last_name,
        {{ clean_text('"StudentFirstName"') }} as first_name,
        {{ clean_text('"StudentMI"') }} as middle_initial,
        {{ clean_text('"StudentDateOfBirth"') }} as birth_date,
        {{ clean_text('"StudentGender"') }} as gender,
        {{ clean_text('"Grade"') }} as grade,
        row_number() over (
            partition by {{ clean_text('"TermName"') }}, {{ clean_text('"StudentID"') }}, {{ clean_text('"SchoolName"') }}
            order by _load_id desc, _line_number desc
        ) as n_in_school,
        count(*) over (
            partition by {{ clean_text('"TermName"') }}, {{ clean_text('"StudentID"') }}
        ) as n_in_term
    -- Every year's: a year build also reads a new delivery's results of other years whole.
    from {{ latest_loads(source('raw_assessment', 'map_students'), 'assessment__map_students') }} as s
),

in_school as (
    select * from map_students where n_in_school = 1
),

-- A student listed at one school only that term also fills a test taken elsewhere.
in_term as (
    select * from map_students where n_in_term = 1
),

-- Read twice (typed, and the keys of the newest-delivery check) but not materialized: computed
-- where read (see `delivery_keys`).
joined as {{ cte_not_materialized() }} (
    select
        raw.*,
        coalesce({{ clean_text('raw."StudentLastName"') }}, in_school.last_name, in_term.last_name) as _last_name,
        coalesce({{ clean_text('raw."StudentFirstName"') }}, in_school.first_name, in_term.first_name) as _first_name,
        coalesce({{ clean_text('raw."StudentMI"') }}, in_school.middle_initial, in_term.middle_initial) as _middle_initial,
        coalesce({{ clean_text('raw."StudentDateOfBirth"') }}, in_school.birth_date, in_term.birth_date) as _birth_date,
        coalesce({{ clean_text('raw."StudentGender"') }}, in_school.gender, in_term.gender) as _gender,
        coalesce({{ clean_text('raw."Grade"') }}, in_school.grade, in_term.grade) as _grade
    from raw
    left join in_school
        on {{ clean_text('raw."TermName"') }} = in_school.term_name
        and {{ clean_text('raw."StudentID"') }} = in_school.student_id
        and {{ clean_text('raw."SchoolName"') }} = in_school.school_name
    left join in_term
        on {{ clean_text('raw."TermName"') }} = in_term.term_name
        and {{ clean_text('raw."StudentID"') }} = in_term.student_id
),

-- ClassAssignments.csv: the class and teacher of a student's term at a school, where MAP lists
-- exactly one (a self-contained class); several classes name no subject, so none is chosen.
classes as (
    select
        term_name,
        local_id,
        school_name,
        max(class_name) as class_name,
        max(teacher_name) as teacher_name,
        max(teacher_id) as teacher_id
    from {{ ref('stg_assessment__map_class_assignments') }}
    group by term_name, local_id, school_name
    having count(*) = 1
),

-- MAP's Subject "Language Arts" holds Reading and Language Usage, told apart by Course only.
subjects as (
    select * from {{ ref('map_subjects') }}
),

sexes as (
    select * from {{ ref('sex_codes') }} where {{ code_key('source') }} = 'MAP'
),

terms as (
    select * from {{ ref('map_terms') }}
),

-- The RIT scale's valid range (crosswalk score_ranges, cited there): the most specific row of
-- subject and grade wins; no row, no range check.
-- (renamed: the file's own Subject and Grade are read unqualified.)
score_ranges as (
    select
        subject as range_subject,
        grade as range_grade,
        min_score,
        max_score
    from {{ ref('score_ranges') }}
    where {{ code_key('assessment') }} = 'MAP'
),

schools as (
    {{ resolve_schools('map', 'raw', 'SchoolName') }}
),

typed as (
    select
        raw._load_id,
        raw._source_file,
        raw._line_number,
        {{ clean_text('raw."TermName"') }} as term_name,
        terms.season,
        terms.term_order,
        {{ map_term_school_year('raw."TermName"') }} as school_year,
        {{ clean_text('raw."SchoolName"') }} as school_name,
        schools.school_id,
        schools.school_match,
        {{ clean_text('raw."StudentID"') }} as local_id,
        {{ clean_text('raw._last_name') }} as last_name,
        {{ clean_text('raw._first_name') }} as first_name,
        upper(left(raw._middle_initial, 1)) as middle_initial,
        {{ safe_date('raw._birth_date') }} as birth_date,
        sexes.sex,
        grades.grade_level,
        grades.grade_number,
        {{ clean_text('raw."Subject"') }} as subject_code,
        {{ clean_text('raw."Course"') }} as course,
        subjects.measure,
        subjects.academic_subject,
        classes.class_name,
        classes.teacher_name,
        classes.teacher_id,
        {{ safe_date('raw."TestStartDate"') }} as test_date,
        {{ safe_int('raw."TestRITScore"') }} as rit_score,
        coalesce(range_sg.min_score, range_s.min_score, range_g.min_score, range_any.min_score) as min_rit_score,
        coalesce(range_sg.max_score, range_s.max_score, range_g.max_score, range_any.max_score) as max_rit_score,
        {{ safe_numeric('raw."TestStandardError"') }} as standard_error,
        {{ safe_int('raw."TestPercentile"') }} as percentile,
        {{ clean_text('raw._birth_date') }} is null as _birth_missing,
        -- The result's natural key (macro newest_delivery_wins): the student as delivered, term,
        -- subject, RIT scale (Course tells Reading from Language Usage) and test date.
        {{ delivered_student(['raw."StudentID"'], 'raw._last_name', 'raw._first_name', 'raw._birth_date') }} as _key_student,
        coalesce(terms.season, {{ clean_text('raw."TermName"') }}) as _key_term,
        coalesce(subjects.academic_subject, {{ clean_text('raw."Subject"') }}) as _key_subject,
        coalesce(subjects.measure, {{ clean_text('raw."Course"') }}) as _key_measure,
        raw._copy_number,
        {{ raw_record(columns) }} as _raw_record
    from joined as raw
    left join grades on {{ code_key('raw._grade') }} = {{ code_key('grades.local_code') }}
    left join subjects
        on {{ code_key('raw."Subject"') }} = {{ code_key('subjects.map_subject') }}
        and coalesce({{ clean_text('raw."Course"') }}, '') like subjects.course_pattern
    left join sexes on {{ code_key('raw._gender') }} = {{ code_key('sexes.local_code') }}
    left join classes
        on {{ clean_text('raw."TermName"') }} = classes.term_name
        and {{ clean_text('raw."StudentID"') }} = classes.local_id
        and {{ clean_text('raw."SchoolName"') }} = classes.school_name
    left join schools on {{ clean_text('raw."SchoolName"') }} = schools.vendor_value
    left join terms on {{ code_key(dbt.split_part('raw."TermName"', "' '", 1)) }} = {{ code_key('terms.season') }}
    left join score_ranges as range_sg
        on {{ code_key('raw."Subject"') }} = {{ code_key('range_sg.range_subject') }} and grades.grade_number = range_sg.range_grade
    left join score_ranges as range_s
        on {{ code_key('raw."Subject"') }} = {{ code_key('range_s.range_subject') }} and range_s.range_grade is null
    left join score_ranges as range_g
        on range_g.range_subject is null and grades.grade_number = range_g.range_grade
    left join score_ranges as range_any
        on range_any.range_subject is null and range_any.range_grade is null
),

-- The newest-delivery check's columns, computed as in `typed` from the joins they need only:
-- with `typed` read by the check too, DuckDB kept it whole and spilled it (1.4 GB written for
-- three years' 1.4 M results). Written twice on purpose: one CTE of the keys and their joins,
-- read by both `typed` and the check, built the model in 9.3-9.5 s against 6.2 s (three years).
delivery_keys as (
    select
        raw._load_id,
        raw._line_number,
        {{ delivered_student(['raw."StudentID"'], 'raw._last_name', 'raw._first_name', 'raw._birth_date') }} as _key_student,
        {{ map_term_school_year('raw."TermName"') }} as school_year,
        coalesce(terms.season, {{ clean_text('raw."TermName"') }}) as _key_term,
        coalesce(subjects.academic_subject, {{ clean_text('raw."Subject"') }}) as _key_subject,
        coalesce(subjects.measure, {{ clean_text('raw."Course"') }}) as _key_measure,
        {{ safe_date('raw."TestStartDate"') }} as test_date
    from joined as raw
    left join subjects
        on {{ code_key('raw."Subject"') }} = {{ code_key('subjects.map_subject') }}
        and coalesce({{ clean_text('raw."Course"') }}, '') like subjects.course_pattern
    left join terms on {{ code_key(dbt.split_part('raw."TermName"', "' '", 1)) }} = {{ code_key('terms.season') }}
),

delivered as (
    {{ newest_delivery_wins('typed', ['_key_student', 'school_year', '_key_term', '_key_subject', '_key_measure', 'test_date'], keys_from='delivery_keys') }}
),

checked as (
    select
        *,
        {{ quarantine_rules([
            ['_copy_number > 1', '*', 'duplicate row'],
        ] + delivery_rules() + [
            ['season is null or school_year is null', 'TermName', 'unrecognised term name'],
            ['school_id is null', 'SchoolName', 'school not in the school crosswalk'],
            ['grade_level is null', 'Grade', 'unmapped grade code'],
            ['academic_subject is null', 'Subject', 'unmapped subject'],
            ['test_date is null', 'TestStartDate', 'malformed date'],
            ['rit_score is null or rit_score < min_rit_score or rit_score > max_rit_score', 'TestRITScore', 'RIT score missing or outside the RIT scale (crosswalk score_ranges)'],
            ['percentile is not null and percentile not between 1 and 99', 'TestPercentile', 'percentile outside 1-99'],
            ['birth_date is null and not _birth_missing', 'StudentDateOfBirth', 'malformed date'],
        ]) }}
    from delivered
)

{{ select_keeping_raw_record_if_quarantined('checked') }}
