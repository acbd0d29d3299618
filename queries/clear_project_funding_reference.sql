-- removes every stored funding figure (one row per project), before they are stored again
delete from project_funding_reference
