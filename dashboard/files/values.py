"""The one grammar for dates, money and numbers written as text, shared by the template import and 360Giving.

Everything here is ASCII-only on purpose: Python's `\\d` also matches full-width (１２) and Arabic-Indic
(١٢) digits, which int() and Decimal() then read happily while the database refuses them, so every
pattern spells its digits [0-9] and a value written with other digits gets its own, clear reason.

- Dates: ISO `YYYY-MM-DD` or UK `D/M/YYYY` (what Excel writes when a UK user saves as CSV), either
  optionally followed by a time and a time zone (`2025-04-01 00:00:00`, `2025-04-01T09:30:00+01:00`,
  `29/04/2015 12:10`); the date is taken as written.
- Money: pounds, an optional sign, an optional `£` or `GBP`, digits with or without thousands commas,
  a decimal point with any number of decimals, optionally an exponent (`1.5E+04`, as spreadsheets and
  JSON write large numbers). `+5` is 5, `.5` is 0.50, `-0` is 0. What the database can hold bounds it:
  decimal(18,2), so amounts from 10^16 up are too large.
- Whole numbers: the database's 32-bit integer range.

The parse functions raise ValueError whose message is the reason a user reads.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pandas as pd

_TIME = r"(?:[T ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})" + _TIME + "$")
UK_DATE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})" + _TIME + "$")
PLAIN_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"  # what needs no rewriting (the fast path for big files)

MONEY = re.compile(
    r"^(?P<sign>[+-]?)\s*(?:£|GBP)?\s*(?P<sign2>[+-]?)"
    r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.(?P<fraction>[0-9]*))?"
    r"(?:[eE](?P<exponent>[+-]?[0-9]{1,6}))?$",
    re.IGNORECASE,
)
PLAIN_MONEY = r"^[0-9]{1,16}(?:\.[0-9]{1,2})?$"  # canonical already: no rewriting needed
INT_TEXT = r"^[+-]?[0-9]+$"
NUMBER_TEXT = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?$"

MONEY_LIMIT = Decimal(10) ** 16  # decimal(18,2): 16 digits before the point
MONEY_LIMIT_TEXT = "£9,999,999,999,999,999.99"
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # the database's integer

PENNY = Decimal("0.01")


def has_foreign_digits(text: str) -> bool:
    """Whether text holds a decimal digit that is not 0-9 (full-width, Arabic-Indic, Devanagari ...)."""
    return any(ch.isdigit() and not ("0" <= ch <= "9") for ch in text)


FOREIGN_DIGITS_REASON = (
    "is written with digits other than 0-9 (full-width or Arabic-Indic, say); retype it with the digits 0-9"
)


def parse_date(text: str | None) -> date | None:
    """ISO or UK date, with or without a time; None if empty; ValueError (with the reason) otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    match = ISO_DATE.match(text)
    if match:
        y, m, d = (int(g) for g in match.groups())
    else:
        match = UK_DATE.match(text)
        if not match:
            raise ValueError(FOREIGN_DIGITS_REASON if has_foreign_digits(text) else "is not a date")
        d, m, y = (int(g) for g in match.groups())
    try:
        return date(y, m, d)
    except ValueError:
        raise ValueError("is not a real date") from None


def parse_money(text: str | None) -> Decimal | None:
    """An amount in pounds as an exact Decimal (not rounded); None if empty; ValueError with the reason otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    match = MONEY.match(text)
    if not match or not (match["whole"] or match["fraction"]) or (match["sign"] and match["sign2"]):
        raise ValueError(FOREIGN_DIGITS_REASON if has_foreign_digits(text) else "is not an amount in pounds")
    sign = "-" if "-" in (match["sign"] + match["sign2"]) else ""
    digits = f"{sign}{(match['whole'] or '0').replace(',', '')}.{match['fraction'] or '0'}"
    try:
        amount = Decimal(digits)
        if match["exponent"]:
            amount = amount.scaleb(int(match["exponent"]))
    except (InvalidOperation, ValueError):
        raise ValueError("is not an amount in pounds") from None
    if amount.is_zero():
        return Decimal("0")
    if abs(amount) >= MONEY_LIMIT:
        raise ValueError(f"is too large; amounts must be below {MONEY_LIMIT_TEXT}")
    return amount


def decimal_places(amount: Decimal) -> int:
    """How many decimal places an amount really has (trailing zeros do not count: 20.100 has 1)."""
    exponent = amount.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def money_text(amount: Decimal) -> str:
    """An amount as canonical template text: '1500', '1500.5', '0.05'."""
    text = format(amount.quantize(PENNY), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def round_to_penny(amount: Decimal) -> Decimal:
    """Half up, as people round money by hand (100.005 -> 100.01)."""
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def money_series(value: pd.Series, present: pd.Series, allow_negative: bool = False) -> tuple[pd.Series, pd.Series]:
    """Template money cells: (canonical text or the original where unreadable, reason or None).

    Canonical values (1500, 1500.50) pass untouched; only the rest go through parse_money one by one.
    Reasons: not an amount, too large, negative (unless allow_negative: credits and corrections), more than
    2 decimal places.
    """
    reasons = pd.Series(None, index=value.index, dtype=object)
    other = present & ~value.str.match(PLAIN_MONEY)
    if not other.any():
        return value, reasons
    value = value.copy()
    texts, whys = [], []
    for text in value[other].tolist():
        try:
            amount = parse_money(text)
        except ValueError as exc:
            texts.append(text)
            whys.append(str(exc))
            continue
        if amount < 0 and not allow_negative:
            texts.append(text)
            whys.append("is negative; money must be 0 or more")
        elif decimal_places(amount) > 2:
            texts.append(text)
            whys.append("has more than 2 decimal places; round it to whole pence")
        else:
            texts.append(money_text(amount))
            whys.append(None)
    value[other] = texts
    reasons[other] = whys
    return value, reasons


PLAIN_MONTH = r"^[0-9]{4}-(?:0[1-9]|1[0-2])$"  # canonical already: the fast path for big files
MONTH_TEXT = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")


def month_series(value: pd.Series, present: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Template month cells (YYYY-MM) as the month's first day, YYYY-MM-01, with the reason where not readable.

    A full date on the first of a month (what a spreadsheet makes of 2026-04) is read as that month; any other
    day is refused rather than guessed at.
    """
    reasons = pd.Series(None, index=value.index, dtype=object)
    plain = present & value.str.match(PLAIN_MONTH)
    value = value.copy()
    value[plain] = value[plain] + "-01"
    other = present & ~plain
    if not other.any():
        return value, reasons
    texts, whys = [], []
    for text in value[other].tolist():
        match = MONTH_TEXT.match(text)
        try:
            if match:
                if not 1 <= int(match[2]) <= 12:
                    raise ValueError("is not a real month; the month must be 01 to 12, for example 2026-04")
                day = date(int(match[1]), int(match[2]), 1)
            else:
                day = parse_date(text)
                if day.day != 1:
                    raise ValueError("is a date, not a month; write the month as YYYY-MM, for example 2026-04")
            texts.append(day.isoformat())
            whys.append(None)
        except ValueError as exc:
            reason = str(exc)
            if reason in ("is not a date", "is not a real date"):
                reason = "is not a month; write it as YYYY-MM, for example 2026-04"
            texts.append(text)
            whys.append(reason)
    value[other] = texts
    reasons[other] = whys
    return value, reasons


def date_series(value: pd.Series, present: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Template date cells as YYYY-MM-DD where readable, with the reason where not (None when fine)."""
    reasons = pd.Series(None, index=value.index, dtype=object)
    other = present & ~value.str.match(PLAIN_ISO_DATE)
    if not other.any():
        return value, reasons
    value = value.copy()
    texts, whys = [], []
    for text in value[other].tolist():
        try:
            texts.append(parse_date(text).isoformat())
            whys.append(None)
        except ValueError as exc:
            texts.append(text)
            whys.append(str(exc))
    value[other] = texts
    reasons[other] = whys
    return value, reasons
