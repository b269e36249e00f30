-- Every data-quality rule's outcome, run by run: what failed, how many rows, when.
select
    run_id,
    suite,
    domain,
    asset_key,
    table_name,
    expectation,
    severity,
    success,
    observed_value,
    unexpected_count,
    checked_at
from {{ source('raw_quality', 'quality_results') }}
where run_id is not null
