-- When each partition (county: the staging file a row came from) last changed, for the
-- incremental models (macros/incremental_partitions.sql). '' is the single-file layout.
-- A county's rows can depend on another county's: versions and is_latest are ranked per
-- org x year, and a file found by two portals is kept once. So a partition counts as changed
-- when it, or any partition sharing an organisation or a document with it, was loaded again.
with loads as (
    select
        coalesce(partition_key, '') as partition_key,
        max(coalesce(loaded_at, timestamptz '1970-01-01 00:00:00+00')) as loaded_at
    from {{ source('raw', '_loaded_partitions') }}
    group by 1
    union all
    -- the single-file layout (tests of one stage) keeps no load record: always changed
    select '' as partition_key, now() as loaded_at
    where exists (select 1 from {{ source('raw', 'documents') }} where partition_key is null)
),

shared_keys as (
    select distinct coalesce(partition_key, '') as partition_key, 'org:' || org_id as k
    from {{ source('raw', 'documents') }}
    where org_id is not null
    union
    select distinct coalesce(partition_key, ''), 'org:' || org_id
    from {{ source('raw', 'expected_orgs') }}
    where org_id is not null
    union
    select distinct coalesce(partition_key, ''), 'doc:' || document_id
    from {{ source('raw', 'documents') }}
    where document_id is not null
),

linked as (
    select distinct a.partition_key, b.partition_key as other
    from shared_keys as a
    inner join shared_keys as b on a.k = b.k and a.partition_key <> b.partition_key
)

select
    l.partition_key,
    greatest(l.loaded_at, coalesce(max(o.loaded_at), l.loaded_at)) as loaded_at
from loads as l
left join linked as k on k.partition_key = l.partition_key
left join loads as o on o.partition_key = k.other
group by l.partition_key, l.loaded_at
