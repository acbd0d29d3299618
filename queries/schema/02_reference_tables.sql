-- the reference tables loaded from data/reference/ (optimism bias, discount rates, GDP deflators, projectitis
-- weights, council). Columns added since a table was first created are added by `alter table ... if not exists`,
-- so a database written by an earlier version gains them on its next write.

create table if not exists ref_optimism_bias (
    confidence_grade integer primary key,
    optimism_bias_share double not null,
    meaning varchar not null,
    source varchar not null
);

create table if not exists ref_discount_rates (
    from_year integer primary key,
    to_year integer not null,
    rate double not null,
    source varchar not null
);

-- the Green Book health discount rate for the same years (QALY- and WELLBY-valued lines)
alter table ref_discount_rates add column if not exists health_rate double;

-- HM Treasury GDP deflator at market prices, financial years: converts amounts stated in one price year to the
-- council's price base year (ref_council setting price_base_year)
create table if not exists ref_gdp_deflators (
    financial_year varchar primary key,
    index double not null check (index > 0),
    source varchar not null
);

create table if not exists ref_projectitis_weights (
    factor varchar primary key,
    max_points double not null,
    label varchar not null,
    description varchar not null
);

create table if not exists ref_projectitis_runway (
    max_months integer primary key,
    points double not null
);

create table if not exists ref_projectitis_bands (
    band varchar primary key,
    min_score double not null
);

create table if not exists ref_council (
    setting varchar primary key,
    value varchar not null
);

-- budget monitoring's RAG: a project is the first rag whose max_abs_variance_percent its |variance| is within (as a
-- percentage of the year's plan); above the last, red (data/reference/budget_rag_thresholds.csv)
create table if not exists ref_budget_rag_thresholds (
    rag varchar primary key,
    max_abs_variance_percent integer not null check (max_abs_variance_percent >= 0),
    meaning varchar not null,
    source varchar not null
);
