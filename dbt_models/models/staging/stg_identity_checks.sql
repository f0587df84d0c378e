select
    document_id,
    upper(trim(identity)) as identity,
    coalesce(scope, '') as scope,
    ok,
    case when ok then 'pass' when not ok then 'fail' else 'not_assessable' end as status,
    expected,
    printed
from {{ source('raw', 'identity_checks') }}
where document_id is not null and identity is not null
