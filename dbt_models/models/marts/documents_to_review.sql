-- Documents the registry could not place: an organisation nobody expected, or no year.
-- Recorded for a person to review (add an alias or an organisation to the source profile),
-- never dropped.
select
    document_id,
    org_name_printed,
    year,
    title,
    document_url,
    detail_url,
    format,
    status,
    case
        when org_id is null and org_name_printed is null then 'no_organisation_in_title'
        when org_id is null then 'unexpected_organisation'
        when not is_expected_org then 'unexpected_organisation'
        else 'no_year'
    end as review_reason
from {{ ref('documents') }}
where org_id is null or not is_expected_org or year is null
