-- the reference tables loaded from data/reference/ (optimism bias, discount rates, projectitis weights, council)

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
