-- a statement, not a report: deletes the saved scenario named $scenario_name (the stored name, exactly)
delete from scenarios
where scenario_name = cast($scenario_name as varchar)
