-- table macro projects_in_view(project_ids): one row per project in view, stated once for every query that takes
-- $project_ids: every project when project_ids is null (no filter set), else the projects whose ids are in the list
-- (the Portfolio page's filters, chosen by dashboard/rules/filters.py).

create or replace temp macro projects_in_view(p_project_ids) as table
select project_id
from projects
where cast(p_project_ids as varchar []) is null
    or project_id in (select unnest(cast(p_project_ids as varchar [])))
