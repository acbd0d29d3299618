-- scalar macro funding_months_left(as_of, end_date): whole calendar months from the as-of month to the month a
-- funding line ends (ending in the as-of month: 0; next month: 1), the same count the projectitis funding-runway
-- factor scores (queries/project_appraisal.sql, runway_months).

create or replace temp macro funding_months_left(as_of, end_date) as
datediff('month', date_trunc('month', cast(as_of as date)), date_trunc('month', cast(end_date as date)))
