-- names where the finance tables take their project years from on this connection: the temp table
-- 'finance_project_years_chosen' (kept for one export) or null (work them out from the lines)
set variable finance_project_years_source = $project_years_source
