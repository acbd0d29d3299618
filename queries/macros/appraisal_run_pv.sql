-- scalar macro appraisal_run_pv: the discounted amount of one line over the whole window years a..b (none when
-- b < a), all inside one run of years at one Green Book rate, where the factor falls by `ratio` a year. Every whole
-- year y pays year_coef x kept ^ (y - c): n1 months at kept ^ (y - c) and 12 - n1 at kept ^ (y - c + 1), folded into
-- year_coef = monthly x (n1 + (12 - n1) x kept) by the caller. Over the run that is factor(a) x kept ^ (a - c) x a
-- geometric series in kept x ratio.

create or replace temp macro appraisal_run_pv(year_coef, kept, c, a, b, factor_a, ratio) as
case
    when b < a then 0.0
    else year_coef * factor_a * power(kept, a - c)
        * case
            when kept * ratio = 1 then b - a + 1
            else (1 - power(kept * ratio, b - a + 1)) / (1 - kept * ratio)
        end
end
