-- The landing audit as a table people can query: one row per delivered file load.
select
    load_id,
    source,
    raw_table,
    source_file,
    source_path,
    layout,
    sha256,
    bytes,
    encoding,
    rows_total,
    rows_parsed,
    rows_rejected,
    status,
    error,
    mixed_encoding_lines,
    warning,
    archive_path,
    loaded_at
from {{ source('raw_audit', 'file_loads') }}
where load_id is not null
