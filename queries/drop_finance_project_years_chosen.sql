-- lets go of the project years kept by create_finance_project_years_chosen.sql
drop table if exists temp.finance_project_years_chosen
