"""Tables written as CSV or JSON text by DuckDB, from an Arrow table or a DataFrame, streamed to a file.

Why: formatting tens of millions of cells one at a time in Python (`Series.map`, `csv.writer`) took 108 of the
113 seconds of `metrics --format csv` at a million projects. Here DuckDB formats every cell, vectorised and on
every core, and hands back each row as one finished line of text; the lines go from Arrow's buffers to the file
without becoming Python strings.

Three formats, each the one its path wrote before this module (the pandas writers are kept in
tests/reference_writers.py and the tests hold this module to them byte for byte, on the demo and on generated
frames):

- `CLI_CSV`: what `python -m dashboard metrics` prints (pandas `to_csv`): LF line ends, no byte-order mark,
  numbers in their shortest exact form (350.0), True/False, ISO dates, lists as "a; b". Text that begins
  = + - @ tab CR or LF gets a leading apostrophe (export_files.neutralise), as every export does.
- `EXPORT_CSV`: every export file (export_files.csv_bytes): UTF-8 with a byte-order mark, CRLF, money with
  two decimals, whole numbers without a point, true/false, ISO dates and date-times, text formula-safe.
- `RECORDS_JSON`: `--format json` (pandas `to_json(orient="records", indent=2)`): ASCII with \\u escapes,
  null for empty, numbers as pandas writes them (ten decimal places at most, trailing zeros dropped).

Column-agnostic: a column's text follows from its type alone (for a DataFrame, its dtype: a float column and an
object column holding floats are written differently, as pandas did), plus the money columns a caller names.
A new column needs nothing here. Quoting follows Python's csv module (QUOTE_MINIMAL): a field is quoted when it
holds a comma, a double quote or a character of the line ending.

No SQL text is put together: the expressions are composed with DuckDB's expression API from the table's own
column types, on a private in-memory connection, and the data never become part of a statement.
"""

from __future__ import annotations

import io
import math
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, BinaryIO

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from duckdb import CaseExpression, CoalesceOperator, ColumnExpression, ConstantExpression, FunctionExpression

ROWS_PER_BATCH = 100_000
_ROW = "_row_number"
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class TextFormat:
    """How a table becomes text. Use the three instances below; the fields name what differs between them."""

    name: str
    json: bool = False
    line_end: str = "\n"
    bom: bool = False
    true_false: tuple[str, str] = ("True", "False")
    plain_floats: bool = False  # whole floats without ".0" (below 1e15), as export_files wrote them
    iso_datetimes: bool = False  # date-times as 2025-01-01T10:00:00 per value (else pandas' per-column style)
    guard_headings: bool = False  # headings formula-safe too (they come from users' column choices in exports)


CLI_CSV = TextFormat("cli_csv")
EXPORT_CSV = TextFormat(
    "export_csv",
    line_end="\r\n",
    bom=True,
    true_false=("true", "false"),
    plain_floats=True,
    iso_datetimes=True,
    guard_headings=True,
)
RECORDS_JSON = TextFormat("records_json", json=True)

# text starting with one of these gets a leading apostrophe (OWASP CSV injection: "fields beginning with = + - @
# tab carriage-return"; line feed added, as some tools strip leading whitespace); export_files.neutralise too
FORMULA_START_CHARACTERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_FORMULA_STARTS = [ord(c) for c in FORMULA_START_CHARACTERS]


# --- columns and their kinds ----------------------------------------------------------------------------
#
# kind          holds                                  from
# text          strings                                string columns, object columns of str
# list          lists of scalars                       list columns, object columns of lists / arrays
# bool          true / false                           bool columns (and object columns of bools)
# int           whole numbers                          integer columns (and object columns of ints)
# float         floats of a float column               float columns
# object_float  floats in an object column             pandas object columns (pandas wrote these as repr)
# date          dates                                  date columns
# object_date   datetime.date objects                  pandas object columns
# timestamp     date-times of a date-time column       timestamp columns (pandas datetime64)
# object_time   datetime objects in an object column   pandas object columns
# decimal       exact decimals                         decimal columns (and object columns of Decimal)
# other         anything else, written as str(value)   e.g. time zones, intervals, structs


@dataclass(frozen=True)
class _Part:
    """One typed Arrow column making up (part of) a table column."""

    kind: str
    name: str  # the column's name in the formatting relation
    element_kind: str | None = None  # for lists: the kind of each element


@dataclass(frozen=True)
class _Column:
    heading: str
    parts: tuple[_Part, ...]  # one, or one per Python type of a mixed object column (exactly one is set a row)
    money: bool = False


def _arrow_kind(type_: pa.DataType) -> str:
    if pa.types.is_string(type_) or pa.types.is_large_string(type_) or pa.types.is_string_view(type_):
        return "text"
    if pa.types.is_boolean(type_):
        return "bool"
    if pa.types.is_integer(type_):
        return "int"
    if pa.types.is_floating(type_):
        return "float"
    if pa.types.is_date(type_):
        return "date"
    if pa.types.is_timestamp(type_) and type_.tz is None:
        return "timestamp"
    if pa.types.is_decimal(type_):
        return "decimal"
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        element = _arrow_kind(type_.value_type)
        return "list" if element in ("text", "bool", "int", "float", "date", "decimal") else "other"
    return "other"


def _prepare(table: Any, money_columns: Iterable[str], headings: Sequence[str] | None) -> tuple[pa.Table, list]:
    """The table as typed Arrow columns named c0, c1, ... and how each table column is made of them."""
    money = set(money_columns)
    arrays: dict[str, pa.Array] = {}
    columns: list[_Column] = []
    if isinstance(table, pa.Table | pa.RecordBatch):
        names = list(table.column_names)
        sources = [(name, table.column(name)) for name in names]
        for i, (name, array) in enumerate(sources):
            array = _native(array)
            columns.append(_Column(name, (_part(f"c{i}", array),), name in money))
            arrays[f"c{i}"] = array
    else:  # a pandas DataFrame
        for i, name in enumerate(table.columns):
            parts = []
            for j, (kind, array) in enumerate(_frame_column(table.iloc[:, i])):
                part_name = f"c{i}_{j}"
                arrays[part_name] = array
                parts.append(_part(part_name, array, kind))
            columns.append(_Column(str(name), tuple(parts), name in money))
    if headings is not None:
        columns = [_Column(h, c.parts, c.money) for h, c in zip(headings, columns, strict=True)]
    n_rows = len(table)
    arrays[_ROW] = pa.array(np.arange(n_rows, dtype=np.int64))
    return pa.table(arrays), columns


def _native(array) -> pa.Array | pa.ChunkedArray:
    """Arrow types DuckDB reads as they are (dictionaries decoded, string views as strings) and NaN as null:
    every format writes the two alike (empty, or null in JSON), so the cell expressions need not ask."""
    type_ = array.type
    if pa.types.is_dictionary(type_):
        array = array.cast(type_.value_type)
    if pa.types.is_string_view(array.type):
        array = array.cast(pa.large_string())
    if pa.types.is_floating(array.type) and pc.any(pc.is_nan(array)).as_py():
        array = pc.if_else(pc.is_nan(array), pa.scalar(None, array.type), array)
    return array


def _part(name: str, array, kind: str | None = None) -> _Part:
    kind = kind or _arrow_kind(array.type)
    element = _arrow_kind(array.type.value_type) if kind == "list" else None
    return _Part(kind, name, element)


# pandas.api.types.infer_dtype of an object column -> the kind of every value in it
_INFERRED_KINDS = {
    "string": "text",
    "empty": "text",
    "boolean": "bool",
    "integer": "int",
    "floating": "object_float",
    "decimal": "decimal",
    "date": "object_date",
    "datetime": "object_time",
}


def _frame_column(series) -> list[tuple[str, pa.Array]]:
    """A DataFrame column as one typed Arrow array, or one per Python type for a mixed object column."""
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or isinstance(dtype, pd.CategoricalDtype):
        return [("other", pa.array([None if pd.isna(v) else str(v) for v in series.tolist()], pa.large_string()))]
    if pd.api.types.is_datetime64_dtype(dtype):
        return [("timestamp", pa.array(series.to_numpy(dtype="datetime64[us]"), pa.timestamp("us")))]
    if pd.api.types.is_bool_dtype(dtype):
        return [("bool", pa.array(series, pa.bool_(), from_pandas=True))]
    if pd.api.types.is_integer_dtype(dtype):
        return [("int", pa.array(series, pa.int64(), from_pandas=True))]
    if pd.api.types.is_float_dtype(dtype):
        return [("float", pa.array(series.to_numpy(dtype=float, na_value=np.nan), pa.float64(), from_pandas=True))]
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return [("text", pa.array(series, pa.large_string(), from_pandas=True))]
    if not pd.api.types.is_object_dtype(dtype):
        return [("other", pa.array([None if _missing(v) else str(v) for v in series.tolist()], pa.large_string()))]
    kind = _INFERRED_KINDS.get(pd.api.types.infer_dtype(series, skipna=True))
    values = series.tolist()
    if kind is not None:
        return [(kind, _object_array(kind, values))]
    # mixed: split by each value's own type, so each keeps the text pandas gave it
    by_kind: dict[str, list] = {}
    kinds = [None if _missing(v) else _value_kind(v) for v in values]
    for k in dict.fromkeys(k for k in kinds if k is not None):
        by_kind[k] = [v if kv == k else None for v, kv in zip(values, kinds, strict=True)]
    if not by_kind:
        return [("text", pa.nulls(len(values), pa.large_string()))]
    return [(k, _object_array(k, vs)) for k, vs in by_kind.items()]


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float | np.floating) and math.isnan(value):
        return True
    return False


def _value_kind(value: Any) -> str:
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | np.integer):
        return "int"
    if isinstance(value, float | np.floating):
        return "object_float"
    if isinstance(value, datetime):
        return "object_time"
    if isinstance(value, date):
        return "object_date"
    if isinstance(value, Decimal):
        return "decimal"
    if isinstance(value, list | tuple | np.ndarray):
        return "list"
    return "other"


def _object_array(kind: str, values: list) -> pa.Array:
    values = [None if _missing(v) else v for v in values]
    if kind == "text":
        return pa.array(values, pa.large_string())
    if kind == "bool":
        return pa.array([None if v is None else bool(v) for v in values], pa.bool_())
    if kind == "int":
        return pa.array([None if v is None else int(v) for v in values], pa.int64())
    if kind == "object_float":
        return pa.array([None if v is None else float(v) for v in values], pa.float64())
    if kind == "object_date":
        return pa.array(values, pa.date32())
    if kind == "object_time":
        return pa.array([None if v is None else _naive(v) for v in values], pa.timestamp("us"))
    if kind == "decimal":
        return pa.array(values)
    if kind == "list":
        lists = [None if v is None else list(v) for v in values]
        try:
            array = pa.array(lists)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            array = None
        if array is None or _arrow_kind(array.type) != "list":
            array = pa.array([None if v is None else [None if _missing(e) else str(e) for e in v] for v in lists])
        return array
    return pa.array([None if v is None else str(v) for v in values], pa.large_string())


def _naive(value: datetime) -> datetime:
    if getattr(value, "tzinfo", None) is not None:
        raise ValueError("date-times with a time zone are written as text; convert them first")
    return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value


# --- cell text ---------------------------------------------------------------------------------------


def _f(name: str, *args) -> duckdb.Expression:
    return FunctionExpression(name, *args)


def _k(value) -> duckdb.Expression:
    return ConstantExpression(value)


def _varchar(expr) -> duckdb.Expression:
    return expr.cast(duckdb.sqltype("VARCHAR"))


def _double(expr) -> duckdb.Expression:
    return expr.cast(duckdb.sqltype("DOUBLE"))


def _python_str(x, kind: str) -> duckdb.Expression:
    """str(value) as Python gives it (list elements, and object cells in pandas' CSV)."""
    if kind == "bool":
        return _bool_text(x, "True", "False")
    if kind in ("object_time", "timestamp"):  # str(datetime): seconds always, microseconds when not zero
        whole = _f("strftime", x, _k("%Y-%m-%d %H:%M:%S"))
        micro = _f("strftime", x, _k("%f"))
        text = _f(
            "concat", whole, CaseExpression(micro == _k("000000"), _k("")).otherwise(_f("concat", _k("."), micro))
        )
        return _unless_null(x, text)
    return _varchar(x)


def _bool_text(x, yes: str, no: str) -> duckdb.Expression:
    """yes, no or NULL (a CASE with no ELSE keeps a NULL a NULL)."""
    return CaseExpression(x, _k(yes)).when(~x, _k(no))


def _unless_null(x, text) -> duckdb.Expression:
    """NULL when x is, else text (concat() would turn a NULL into "")."""
    return CaseExpression(x.isnull(), _k(None).cast(duckdb.sqltype("VARCHAR"))).otherwise(text)


def _csv_float(x, plain: bool) -> duckdb.Expression:
    text = _varchar(x)  # DuckDB writes a double in its shortest exact form, as Python's repr does
    if plain:  # whole numbers below 1e15 without a point (export_files._plain_float)
        whole = (x == _f("trunc", x)) & (_f("abs", x) < _k(1e15))
        text = CaseExpression(whole, _varchar(_f("trunc", x).cast(duckdb.sqltype("BIGINT")))).otherwise(text)
    return text


def _csv_cell(part: _Part, fmt: TextFormat, money: bool, timestamp_style: str | None) -> tuple[duckdb.Expression, bool]:
    """A part's cell text in a CSV (NULL when empty) and whether it is text that may need the formula guard."""
    x = ColumnExpression(part.name)
    kind = part.kind
    if money and kind in ("int", "float", "object_float", "decimal", "bool"):
        return _f("printf", _k("%.2f"), _double(x)), False
    if money and kind == "text":  # pd.to_numeric(errors="coerce") of text
        number = x.try_cast(duckdb.sqltype("DOUBLE"))
        return CaseExpression(_f("isnan", number), _k(None)).otherwise(_f("printf", _k("%.2f"), number)), False
    if kind == "text":
        return x, True
    if kind == "list":
        return _f("array_to_string", _f("list_transform", x, _element(part.element_kind, fmt)), _k("; ")), True
    if kind == "bool":
        return _bool_text(x, *fmt.true_false), False
    if kind in ("int", "decimal"):
        return _varchar(x), False
    if kind == "float":
        return _csv_float(x, fmt.plain_floats), False
    if kind == "object_float":
        return _csv_float(x, False), False
    if kind in ("date", "object_date"):
        return _f("strftime", x, _k("%Y-%m-%d")), False
    if kind in ("timestamp", "object_time"):
        if fmt.iso_datetimes:  # per value: a date at midnight, else isoformat()
            micro = _f("strftime", x, _k("%f"))
            iso = _f(
                "concat",
                _f("strftime", x, _k("%Y-%m-%dT%H:%M:%S")),
                CaseExpression(micro == _k("000000"), _k("")).otherwise(_f("concat", _k("."), micro)),
            )
            midnight = x == _f("date_trunc", _k("day"), x)
            return _unless_null(x, CaseExpression(midnight, _f("strftime", x, _k("%Y-%m-%d"))).otherwise(iso)), False
        if kind == "object_time":
            return _python_str(x, kind), False
        return _f("strftime", x, _k(timestamp_style)), False
    return _varchar(x), False  # "other": already str(value)


def _element(kind: str | None, fmt: TextFormat) -> duckdb.Expression:
    """The text of one list element: str(e) in CSV ("None" for a missing one), a JSON value in JSON."""
    e = ColumnExpression("e")
    kind = kind or "text"
    body = _json_value(e, kind) if fmt.json else CoalesceOperator(_python_str(e, kind), _k("None"))
    return duckdb.LambdaExpression("e", body)


def _neutralised(text) -> duckdb.Expression:
    """export_files.neutralise in SQL: a leading apostrophe on text that starts like a formula."""
    first = _f("ord", text)  # the first code point (-1 for "")
    risky = first == _k(_FORMULA_STARTS[0])
    for code in _FORMULA_STARTS[1:]:  # equalities, not IN: DuckDB plans an IN list as a join
        risky = risky | (first == _k(code))
    return CaseExpression((first <= _k(max(_FORMULA_STARTS))) & risky, _f("concat", _k("'"), text)).otherwise(text)


def _quoted(text, fmt: TextFormat) -> duckdb.Expression:
    """Quoted as Python's csv module quotes (QUOTE_MINIMAL): when it holds , " or a line-ending character."""
    specials = list(dict.fromkeys(',"' + fmt.line_end))
    needs = _f("contains", text, _k(specials[0]))
    for special in specials[1:]:
        needs = needs | _f("contains", text, _k(special))
    quoted = _f("concat", _k('"'), _f("replace", text, _k('"'), _k('""')), _k('"'))
    return CaseExpression(needs, quoted).otherwise(text)


# --- JSON values (pandas' ujson) ------------------------------------------------------------------------


def _json_string(text) -> duckdb.Expression:
    """A JSON string as pandas wrote it: \\" \\\\ \\/ escaped, control characters and all non-ASCII as \\u."""
    plain = _f(
        "replace", _f("replace", _f("replace", text, _k("\\"), _k("\\\\")), _k('"'), _k('\\"')), _k("/"), _k("\\/")
    )
    c = ColumnExpression("c")
    code = _f("ord", c)
    hex4 = _f("lpad", _f("lower", _f("hex", code)), _k(4), _k("0"))
    astral = code - _k(65536)
    high = _f("lower", _f("hex", _k(55296) + _f("floor", astral / _k(1024)).cast(duckdb.sqltype("BIGINT"))))
    low = _f("lower", _f("hex", _k(56320) + (astral % _k(1024))))
    escape = (
        CaseExpression(c == _k('"'), _k('\\"'))
        .when(c == _k("\\"), _k("\\\\"))
        .when(c == _k("/"), _k("\\/"))
        .when((code >= _k(32)) & (code <= _k(127)), c)
        .when(code == _k(8), _k("\\b"))
        .when(code == _k(9), _k("\\t"))
        .when(code == _k(10), _k("\\n"))
        .when(code == _k(12), _k("\\f"))
        .when(code == _k(13), _k("\\r"))
        .when(code < _k(65536), _f("concat", _k("\\u"), hex4))
        .otherwise(_f("concat", _k("\\u"), high, _k("\\u"), low))
    )
    slow = _f("array_to_string", _f("list_transform", _f("string_split", text, _k("")), _lambda("c", escape)), _k(""))
    needs_slow = _f("regexp_matches", text, _k("[^ -~]"))
    return _f("concat", _k('"'), CaseExpression(needs_slow, slow).otherwise(plain), _k('"'))


def _lambda(name: str, body) -> duckdb.Expression:
    return duckdb.LambdaExpression(name, body)


def _json_double(x) -> duckdb.Expression:
    """A double as pandas' ujson writes it (double_precision 10), NaN and infinities as null.

    Fixed-point with at most ten decimals, rounded from the binary value by its own arithmetic (half to odd,
    and up when the tenth digit is 0), trailing zeros dropped but one kept ("350.0"); "%.10g" beyond 1e16
    or below 1e-15. Mirrors Buffer_AppendDoubleUnchecked in pandas/_libs/src/vendored/ujson/lib/ultrajsonenc.c.
    """
    ubig = duckdb.sqltype("UBIGINT")
    a = _f("abs", x)
    whole = _f("floor", a).cast(ubig)
    tmp = (a - _double(whole)) * _k(1e10)
    frac = _f("floor", tmp).cast(ubig)
    diff = tmp - _double(frac)
    odd_or_zero = (frac == _k(0)) | ((frac % _k(2)) == _k(1))
    up = (diff > _k(0.5)) | ((diff == _k(0.5)) & odd_or_zero)
    rounded = CaseExpression(up, frac + _k(1)).otherwise(frac)
    rollover = rounded >= _k(10_000_000_000)
    frac_final = CaseExpression(rollover, _k(0).cast(ubig)).otherwise(rounded)
    whole_final = CaseExpression(rollover, whole + _k(1)).otherwise(whole)
    digits = _f("rtrim", _f("lpad", _varchar(frac_final), _k(10), _k("0")), _k("0"))
    decimals = CaseExpression(frac_final == _k(0), _k("0")).otherwise(digits)
    sign = CaseExpression(x < _k(0.0), _k("-")).otherwise(_k(""))
    fixed = _f("concat", sign, _varchar(whole_final), _k("."), decimals)
    exponential = (a > _k(1e16)) | ((x != _k(0.0)) & (a < _k(1e-15)))
    return (
        CaseExpression(_f("isnan", x) | _f("isinf", x), _k("null"))
        .when(exponential, _f("printf", _k("%.10g"), x))
        .otherwise(fixed)
    )


def _json_value(x, kind: str) -> duckdb.Expression:
    """A value as pandas' to_json wrote it (NULL in gives null)."""
    if kind == "text" or kind == "other":
        text = _json_string(_varchar(x))
    elif kind == "bool":
        text = CaseExpression(x, _k("true")).otherwise(_k("false"))
    elif kind == "int":
        text = _varchar(x)
    elif kind in ("float", "object_float", "decimal"):
        text = _json_double(_double(x))
    elif kind in ("date", "timestamp"):  # cli.write_table turned date columns into "YYYY-MM-DD" text first
        text = _f("concat", _k('"'), _f("strftime", x, _k("%Y-%m-%d")), _k('"'))
    elif kind in ("object_date", "object_time"):  # date_format="iso", milliseconds
        text = _f(
            "concat", _k('"'), _f("strftime", x.cast(duckdb.sqltype("TIMESTAMP")), _k("%Y-%m-%dT%H:%M:%S.%g")), _k('"')
        )
    else:
        raise AssertionError(kind)
    return CaseExpression(x.isnull(), _k("null")).otherwise(text)


def _json_list(x, element_kind: str | None, fmt: TextFormat) -> duckdb.Expression:
    items = _f("list_transform", x, _element(element_kind, fmt))
    inner = _f("array_to_string", items, _k(",\n      "))
    body = CaseExpression(_f("len", x) == _k(0), _k("[\n\n    ]")).otherwise(
        _f("concat", _k("[\n      "), inner, _k("\n    ]"))
    )
    return CoalesceOperator(body, _k("null"))


# --- whole rows ------------------------------------------------------------------------------------------


def _timestamp_styles(rel, columns: list[_Column]) -> dict[str, str]:
    """pandas' to_csv picks one style per date-time column: the date alone when every value is at midnight,
    else seconds, milliseconds or microseconds as the values need."""
    parts = [p for c in columns for p in c.parts if p.kind == "timestamp"]
    if not parts:
        return {}
    needs = []
    for p in parts:
        x = ColumnExpression(p.name)
        micros = _f("strftime", x, _k("%f")).cast(duckdb.sqltype("INTEGER"))
        level = (
            CaseExpression(x.isnull() | (x == _f("date_trunc", _k("day"), x)), _k(0))
            .when(micros == _k(0), _k(1))
            .when((micros % _k(1000)) == _k(0), _k(2))
            .otherwise(_k(3))
        )
        needs.append(_f("max", level))
    levels = rel.aggregate(needs).fetchall()[0]
    styles = ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%g", "%Y-%m-%d %H:%M:%S.%f"]
    return {p.name: styles[level or 0] for p, level in zip(parts, levels, strict=True)}


def _csv_cell_text(column: _Column, fmt: TextFormat, styles: dict[str, str]) -> tuple[duckdb.Expression, bool]:
    """A column's cell text before the formula guard and quoting, and whether it is text (which gets both)."""
    texts, text_parts = [], []
    for part in column.parts:
        text, is_text = _csv_cell(part, fmt, column.money, styles.get(part.name))
        if len(column.parts) > 1:  # a part must be NULL where it is not the row's value (some concat "")
            text = _unless_null(ColumnExpression(part.name), text)
        texts.append(text)
        text_parts.append(is_text or part.kind == "other")
    if len(texts) == 1:
        return texts[0], text_parts[0]
    if not any(text_parts):
        return CoalesceOperator(*texts), False
    # a mixed column: neutralise its text parts here, since the coalesced cell is no longer all text
    guarded = [_neutralised(t) if is_text else t for t, is_text in zip(texts, text_parts, strict=True)]
    return CoalesceOperator(*guarded), True


def _json_field(column: _Column, fmt: TextFormat) -> duckdb.Expression:
    texts = []
    for part in column.parts:
        x = ColumnExpression(part.name)
        if part.kind == "list":
            texts.append(_json_list(x, part.element_kind, fmt))
        else:
            texts.append(_json_value(x, part.kind))
    if len(texts) == 1:
        return texts[0]
    # a mixed column: the value's own part (exactly one is not null in a row), else null
    values = [CaseExpression(ColumnExpression(p.name).isnotnull(), t) for p, t in zip(column.parts, texts, strict=True)]
    return CoalesceOperator(*values, _k("null"))


def _headings(con, columns: list[_Column], fmt: TextFormat) -> list[str]:
    """Each heading as the file writes it, through the same rules as the cells (neutralised, quoted, escaped)."""
    names = pa.table({"h": pa.array([c.heading for c in columns], pa.large_string())})
    heading = ColumnExpression("h")
    if fmt.json:
        cell = _json_string(heading)
    else:
        cell = _quoted(_neutralised(heading) if fmt.guard_headings else heading, fmt)
    return [r[0] for r in con.from_arrow(names).project(cell.alias("t")).fetchall()]


def _header_line(headings: list[str], fmt: TextFormat) -> str:
    if len(headings) == 1 and headings[0] == "":  # csv writes a lone empty field as ""
        headings = ['""']
    return ",".join(headings) + fmt.line_end


def _csv_line(fields: list[str], text: list[bool], fmt: TextFormat) -> duckdb.Expression:
    """One CSV line from the formatted cells (columns named in fields), quoting the text ones."""
    cells = [_quoted(ColumnExpression(f), fmt) if t else ColumnExpression(f) for f, t in zip(fields, text, strict=True)]
    if len(cells) == 1:  # csv writes a lone empty field as ""
        cells = [CaseExpression(CoalesceOperator(cells[0], _k("")) == _k(""), _k('""')).otherwise(cells[0])]
    pieces: list[Any] = []
    for i, cell in enumerate(cells):
        if i:
            pieces.append(_k(","))
        pieces.append(cell)
    pieces.append(_k(fmt.line_end))
    return _f("concat", *pieces)


def _json_line(fields: list[str], keys: list[str]) -> duckdb.Expression:
    """One record, opening with the ",\n" that separates it from the one before."""
    pieces: list[Any] = []
    for i, (field, key) in enumerate(zip(fields, keys, strict=True)):
        pieces.append(_k((",\n  {\n    " if i == 0 else ",\n    ") + key + ":"))
        pieces.append(ColumnExpression(field))
    pieces.append(_k("\n  }"))
    return _f("concat", *pieces)


def _lines(rel, columns: list[_Column], fmt: TextFormat, keys, order: list) -> duckdb.DuckDBPyRelation:
    """The relation of finished lines (column "line"), sorted.

    In stages, each a projection, so that a value used several times (a cell tested for a formula, then for
    quotes, then quoted) is worked out once: formatted cells, then formula-guarded text, then the line.
    """
    carried = [*order, ColumnExpression(_ROW)]
    # sorted first, while the rows are narrow typed values, so the lines are formatted (and written) in that
    # order as they stream rather than all formatted, then sorted as long strings before the first is written
    rel = rel.project("*", *order).sort(*[ColumnExpression(c.get_name()) for c in carried])
    names = [f"_f{i}" for i in range(len(columns))]
    if fmt.json:
        cells = [_json_field(c, fmt).alias(n) for c, n in zip(columns, names, strict=True)]
        rel = rel.project(*cells, *carried)
        line = _json_line(names, keys)
    else:
        styles = {} if fmt.iso_datetimes else _timestamp_styles(rel, columns)
        formatted = [_csv_cell_text(c, fmt, styles) for c in columns]
        text = [is_text for _, is_text in formatted]
        multi = [len(c.parts) > 1 for c in columns]  # mixed columns were guarded part by part already
        rel = rel.project(*[e.alias(n) for (e, _), n in zip(formatted, names, strict=True)], *carried)
        guarded = [
            _neutralised(ColumnExpression(n)).alias(n) if t and not m else ColumnExpression(n)
            for n, t, m in zip(names, text, multi, strict=True)
        ]
        rel = rel.project(*guarded, *[ColumnExpression(c.get_name()) for c in carried])
        line = _csv_line(names, text, fmt)
    return rel.project(line.alias("line"))


def write(
    table,
    out: BinaryIO,
    fmt: TextFormat,
    *,
    money_columns: Iterable[str] = (),
    headings: Sequence[str] | None = None,
    order_by: Sequence[str] = (),
    threads: int | None = None,
) -> int:
    """Write a table (pyarrow Table or pandas DataFrame) to a binary file object; return the rows written.

    money_columns: columns written with two decimals (EXPORT_CSV). headings: names for the header row, one per
    column (default the column names). order_by: columns to sort the rows by, ascending (default: as given).
    """
    arrow, columns = _prepare(table, money_columns, headings)
    con = duckdb.connect(config={"threads": threads} if threads else {})
    try:
        rel = con.from_arrow(arrow)
        if fmt.bom:
            out.write(UTF8_BOM)
        keys = _headings(con, columns, fmt)
        if not fmt.json:
            out.write(_header_line(keys, fmt).encode("utf-8"))
        if not columns or arrow.num_rows == 0:
            if fmt.json:
                out.write(b"[\n\n]")
            return 0
        # DuckDB's Arrow scan runs chunks in parallel and may hand rows back in any order, so every table is
        # sorted, last of all: by the columns asked for, then by row number (a stable sort, like pandas')
        by_name = dict(zip(_names(table), columns, strict=True))
        order = [ColumnExpression(by_name[name].parts[0].name).alias(f"_key{i}") for i, name in enumerate(order_by)]
        lines = _lines(rel, columns, fmt, keys, order)
        first = True
        for batch in _prefetched(lines.to_arrow_reader(ROWS_PER_BATCH)):
            if batch.num_rows == 0:
                continue
            data = string_bytes(batch.column(0))
            if fmt.json and first:
                out.write(b"[\n")
                data = data[2:]  # every row opens with ",\n"; the first one does not need it
            out.write(data)
            first = False
        if fmt.json:
            out.write(b"\n]")
        return arrow.num_rows
    finally:
        con.close()


def _prefetched(reader, depth: int = 2) -> Iterator[pa.RecordBatch]:
    """The reader's batches, the next ones formatted by DuckDB on a thread while the caller writes this one (both
    let go of the interpreter), so formatting and writing overlap instead of taking turns."""
    batches: queue.Queue = queue.Queue(maxsize=depth)
    done, stop = object(), threading.Event()

    def produce() -> None:
        try:
            for batch in reader:
                if stop.is_set():
                    break
                batches.put(batch)
        except BaseException as exc:  # handed to the caller, raised there
            batches.put(exc)
        finally:
            batches.put(done)

    thread = threading.Thread(target=produce, name="table_text-prefetch", daemon=True)
    thread.start()
    try:
        while (item := batches.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # the caller stopped early (a failed write): let the producer see it and go
            try:
                batches.get(timeout=0.1)
            except queue.Empty:
                pass
        thread.join()


def _names(table) -> list[str]:
    if isinstance(table, pa.Table | pa.RecordBatch):
        return list(table.column_names)
    return [str(c) for c in table.columns]


def string_bytes(array: pa.Array) -> memoryview:
    """The UTF-8 bytes of a string array's values, back to back, without copying them."""
    if pa.types.is_string_view(array.type):
        array = array.cast(pa.large_string())
    offsets_type = np.int64 if pa.types.is_large_string(array.type) else np.int32
    _, offsets_buffer, data_buffer = array.buffers()
    offsets = np.frombuffer(
        offsets_buffer, dtype=offsets_type, count=len(array) + 1, offset=array.offset * offsets_type().itemsize
    )
    return memoryview(data_buffer)[int(offsets[0]) : int(offsets[-1])]


def to_bytes(table, fmt: TextFormat, **options) -> bytes:
    """The bytes `write` would write."""
    buffer = io.BytesIO()
    write(table, buffer, fmt, **options)
    return buffer.getvalue()
