-- the appraisal figures of every project at the council's reference assumptions, stored by every write
-- (db.write_database computes them in the write's own transaction, just before it commits), so that
-- project_metrics at those assumptions, the app's default view, reads them instead of computing them.
--
-- project_figures_reference: one row per project with cost or benefit lines, exactly the columns of the
-- macro appraisal_project_figures (unrounded present values in both views, fiscal payback, appraisal start).
-- project_figures_reference_key: at most one row, what the figures were computed at: the assumptions (the
-- forward view's start month among them: the month of the write), the version of the appraisal arithmetic (a
-- hash of the macros' text) and a fingerprint of every table the figures are computed from, so a write that
-- changes none of them can keep the figures as they are. Columns added later come by `alter table`, so a
-- database written by an earlier version gains them (and recomputes its figures) on its next write.

create table if not exists project_figures_reference (
    project_id varchar not null,
    appraisal_start_date date,
    pv_cost_gbp double,
    pv_benefit_gbp double,
    pv_fiscal_benefit_gbp double
);

alter table project_figures_reference drop column if exists payback_months;
alter table project_figures_reference add column if not exists forward_pv_cost_gbp double;
alter table project_figures_reference add column if not exists forward_pv_benefit_gbp double;
alter table project_figures_reference add column if not exists forward_pv_fiscal_benefit_gbp double;
alter table project_figures_reference add column if not exists has_forward_costs boolean;
alter table project_figures_reference add column if not exists fiscal_payback_months bigint;

-- project_funding_reference: one row per project with funding lines, exactly the columns of the macro
-- project_funding_figures at the first day of the key's forward_start_month (the chain depends on the month and
-- on which lines are still running; project_appraisal.sql works out afresh the few projects a later day changes).

create table if not exists project_funding_reference (
    project_id varchar not null,
    committed_funding_gbp double,
    funders varchar [],
    active_funding_gbp double,
    active_non_recurrent_gbp double,
    has_active_recurrent_funding boolean,
    latest_active_funding_end date,
    active_funder_count bigint,
    largest_funder varchar,
    largest_funder_gbp double
);

create table if not exists project_figures_reference_key (
    discount_rate double not null,
    horizon_years integer not null,
    optimism_bias double [] not null,
    cost_factor double not null,
    benefit_factor double not null,
    deadweight_factor double not null,
    attribution_factor double not null,
    drop_off_factor double not null,
    grade_shift integer not null,
    appraisal_version varchar not null,
    inputs_fingerprint varchar not null,
    computed_at timestamp not null
);

alter table project_figures_reference_key add column if not exists forward_start_month date;
