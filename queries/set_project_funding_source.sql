-- names where project_appraisal.sql takes its funding figures from on this connection:
-- 'stored_funding' (those stored on the first of the last write's month) or null (compute them)
set variable project_funding_source = $funding_source
