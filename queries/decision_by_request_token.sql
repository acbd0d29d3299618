-- one row per decision made by the form submission $request_token (none or one): a repeated submission
-- returns the record the first one made instead of making another
--
-- parameters:
--   $request_token  varchar  the submission's token

with

params as (
    select cast($request_token as varchar) as request_token
),

final as (
    select d.decision_id
    from decisions as d
    cross join params
    where d.request_token = params.request_token
)

select * from final
