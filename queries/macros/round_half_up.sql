-- scalar macro round_half_up(x, digits): x rounded to `digits` decimal places (0 to 6), halves away from
-- zero, after dropping binary floating-point noise beyond the 6th decimal place. Plain round() on a
-- double can turn an exact half penny (£29,476.145) either way depending on the order a sum was
-- added up in; this gives the same figure however the appraisal was summed.

create or replace temp macro round_half_up(x, digits) as
cast(round(cast(x as decimal(38, 6)), digits) as double)
