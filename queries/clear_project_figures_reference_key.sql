-- removes the record of what the stored reference figures were computed at (at most one row)
delete from project_figures_reference_key
