-- names where project_appraisal.sql takes its appraisal figures from on this connection:
-- 'stored_figures' (the figures stored at the reference assumptions) or null (compute them)
set variable project_figures_source = $figures_source
