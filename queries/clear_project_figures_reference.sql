-- removes every stored reference figure (one row per project), before they are stored again
delete from project_figures_reference
