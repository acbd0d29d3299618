"""Grants published in the 360Giving Data Standard, turned into projects and funding lines.

Many funders (and some councils) already publish their grants as 360Giving CSV, Excel or JSON files.
Each grant becomes:

- a project: Identifier -> project_id, Title -> name, Description, Recipient Org (or Recipient Ind) ->
  provider, Beneficiary Location -> locality, Planned Dates -> start and end, status from the dates and
  the as-of date, funding_mechanism "grant";
- one non-recurrent funding line: Funding Org -> funder, Amount Awarded, the same dates.

Real publishers' files are messy, so this accepts dd/mm/yyyy and dd/mm/yyyy hh:mm dates as well as ISO,
durations written "12 months" or "12", amounts with "£" and commas (values.py: the grammar the template shares),
the flattened CSV/Excel column names ("Recipient Org:Name"), the standard JSON keys
(recipientOrganization[0].name, amountAwarded, plannedDates[0].startDate) and the non-standard ones
seen in the wild ("Planned Dates": {"Duration months": "12"}, "Recipient Org Beneficiary Location").
Keys are matched by letters and digits only, case-insensitively, with "organisation"/"organization"
read as "org", so spelling variants meet.

A grant says nothing about the appraisal fields (service area, innovation type, people reached,
co-production, evidence, exit plan, costs and benefits). They get honest placeholders that pass the
template's rules (service area "Not yet recorded", 0 people, evidence level 1, no exit plan ...)
and every one is recorded as a Flag, so the Data page lists each project's fields still to fill in.
Placeholders never overwrite a value someone has since filled in (see importer._keep_filled_values).

The planned dates govern: an explicit end date wins over a duration, which only stands in for a missing end date;
a duration of 0 beside an end date is accepted with a note (grants of a fortnight exist), and a grant shorter than
a month is appraised in the calendar months its dates touch. An amount with more than 2 decimal places is rounded
to the penny (half up) with a note. Every grant stands alone (Batch.row_noun), so importer.import_batch can leave
out the bad ones when the user asks (skip_invalid).

Grants not in pounds are rejected, not converted. A grant missing a field the dashboard needs
(Identifier, Title, Currency, Amount Awarded, a date, Funding Org name, Recipient name) is
reported by row; fields the standard requires but the dashboard can do without (Description,
the organisations' identifiers) only produce a warning.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd

from dashboard.database.schema import TABLES_BY_NAME
from dashboard.files import values
from dashboard.files.importer import (
    LATEST_YEAR,
    ROW_COLUMN,
    Batch,
    Flag,
    Problem,
    RawTable,
    check_tables,
    template_text,
)
from dashboard.files.values import parse_date

__all__ = ["parse_date", "parse_months", "parse_amount", "add_months", "grants_to_batch"]

FORMAT = "360giving"
NOT_RECORDED = "Not yet recorded"
DEFAULT_FUNDING_MONTHS = 12  # when a grant gives neither an end date nor a duration
MAX_JSON_DEPTH = 32  # a grant nests three or four levels: deeper parts are not read (nor walked into recursion)


def normalise_key(name: str) -> str:
    """'Recipient Org:Name', 'recipientOrganization:name', 'recipient_organisation_name' -> 'recipientorgname'."""
    key = re.sub(r"[^a-z0-9]", "", str(name).lower())
    return re.sub(r"organi[sz]ation", "org", key)


@dataclass(frozen=True)
class Field:
    label: str  # the 360Giving CSV column name, used in messages
    aliases: tuple[str, ...]  # normalised keys it may appear under


FIELDS: dict[str, Field] = {
    "identifier": Field("Identifier", ("identifier", "id")),
    "title": Field("Title", ("title",)),
    "description": Field("Description", ("description",)),
    "currency": Field("Currency", ("currency",)),
    "amount_awarded": Field("Amount Awarded", ("amountawarded",)),
    "award_date": Field("Award Date", ("awarddate",)),
    "planned_start": Field("Planned Dates:Start Date", ("planneddatesstartdate",)),
    "planned_end": Field("Planned Dates:End Date", ("planneddatesenddate",)),
    "planned_months": Field("Planned Dates:Duration (months)", ("planneddatesdurationmonths", "planneddatesduration")),
    "funder_id": Field("Funding Org:Identifier", ("fundingorgidentifier", "fundingorgid")),
    "funder_name": Field("Funding Org:Name", ("fundingorgname",)),
    "recipient_id": Field("Recipient Org:Identifier", ("recipientorgidentifier", "recipientorgid")),
    "recipient_name": Field("Recipient Org:Name", ("recipientorgname",)),
    "recipient_charity": Field("Recipient Org:Charity Number", ("recipientorgcharitynumber",)),
    "recipient_city": Field("Recipient Org:City", ("recipientorgcity", "recipientorgaddresslocality")),
    "individual_id": Field(
        "Recipient Ind:Identifier", ("recipientindidentifier", "recipientindid", "recipientindividualid")
    ),
    "individual_name": Field("Recipient Ind:Name", ("recipientindname", "recipientindividualname")),
    "location": Field(
        "Beneficiary Location:Name",
        ("beneficiarylocationname", "recipientorgbeneficiarylocationname"),
    ),
}

# the headers (CSV/Excel) or keys (JSON) that mark a file as 360Giving rather than the template
SIGNATURE = {"identifier", "amountawarded"}
SIGNATURE_JSON = {"id", "amountawarded"}

# fields the dashboard cannot work without -> problems; fields the standard requires but we can skip -> warnings
NEEDED = ("identifier", "title", "currency", "amount_awarded", "funder_name")
STANDARD_ONLY = ("description", "funder_id")

# project columns a grant cannot supply: placeholder value and why it is flagged
PLACEHOLDERS: dict[str, tuple[str, str]] = {
    "service_area": (NOT_RECORDED, "360Giving has no service area; say which service it belongs to"),
    "innovation_type": ("social", "placeholder 'social'; choose system, social, business_model or adaptation"),
    "people_reached": ("0", "placeholder 0; say how many people it supports"),
    "coproduction_level": ("0", "placeholder 0 (none); say how far people who draw on care shaped it"),
    "evidence_level": ("1", "placeholder 1 (the lowest); set its Nesta standard of evidence"),
    "has_exit_plan": ("false", "placeholder false; say whether there is a plan for when the grant ends"),
}
# always kept from the database for a project that already exists there (someone owns them now)
KEEP_EXISTING = ("status", "edi_considered")
LINE_FLAGS = {
    "costs": "no cost lines yet; add what it costs so it can be appraised",
    "benefits": "no benefit lines yet; add the costs it avoids or value it creates",
}

_CHARITY_PREFIXES = ("GB-CHC-", "GB-SC-", "GB-NIC-", "GB-MPR-")


# ---------------------------------------------------------------- values


_DURATION = re.compile(r"^([0-9]{1,12}(?:\.0+)?)\s*(months?|mths?|m|years?|yrs?|y)?$", re.IGNORECASE)
_UNKNOWN = {"", "undefined", "unknown", "n/a", "na", "none", "null", "tbc", "-"}
MAX_MONTHS = 1200  # a planned duration beyond 100 years is a typo, not a grant


def parse_months(text: str) -> int | None:
    """'12 months', '12', '12.0', '2 years' -> months; None for empty or 'Undefined'; ValueError (the reason) else."""
    text = (text or "").strip()
    if text.lower() in _UNKNOWN:
        return None
    match = _DURATION.match(text)
    if not match:
        raise ValueError(
            values.FOREIGN_DIGITS_REASON
            if values.has_foreign_digits(text)
            else "is not a number of months; write it like 12 or '12 months'"
        )
    n = int(float(match.group(1)))
    unit = (match.group(2) or "m").lower()
    months = n * 12 if unit.startswith("y") else n
    if months > MAX_MONTHS:
        raise ValueError(f"is longer than {MAX_MONTHS // 12} years ({MAX_MONTHS:,} months); check it")
    return months


def parse_amount(text: str) -> Decimal | None:
    """'£1,500.00', '1500', '15000.0', '1.5E+04' -> Decimal in pounds, exactly as written (values.parse_money)."""
    return values.parse_money(text)


def add_months(start: date, months: int) -> date:
    """The last day covered by a period of `months` months starting on `start` (1 Jul + 12 -> 30 Jun)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) - timedelta(days=1)


def status_on(start: date, end: date | None, as_of: date) -> str:
    if start > as_of:
        return "proposed"
    if end is not None and end < as_of:
        return "ended"
    return "active"


# ---------------------------------------------------------------- records


def flatten_grant(grant: dict) -> dict[str, str]:
    """A JSON grant as flat 'path:key' -> text; lists take their first item, except locations, which are joined."""
    flat: dict[str, str] = {}

    def walk(prefix: str, value, depth: int = 0) -> None:
        if depth > MAX_JSON_DEPTH:
            return  # no 360Giving field lies this deep
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}:{k}" if prefix else str(k), v, depth + 1)
        elif isinstance(value, list):
            if not value:
                return
            if "location" in prefix.lower() and all(isinstance(v, dict) for v in value):
                names = [str(v.get("name") or v.get("Name") or "").strip() for v in value]
                names = [n for n in names if n]
                if names:
                    flat[f"{prefix}:name"] = ", ".join(names)
            walk(prefix, value[0], depth + 1)
        elif value is not None:
            flat.setdefault(prefix, template_text(value))

    walk("", grant)
    return flat


def find_columns(headers: list[str]) -> dict[str, str]:
    """Which source header holds each field (the first that matches)."""
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(normalise_key(header), header)
    found = {}
    for name, spec in FIELDS.items():
        for alias in spec.aliases:
            if alias in by_key:
                found[name] = by_key[alias]
                break
    return found


def looks_like_360giving(headers: list[str]) -> bool:
    keys = {normalise_key(h) for h in headers}
    return SIGNATURE <= keys or SIGNATURE_JSON <= keys


@dataclass
class GrantRecords:
    """Grants as flat records of text, with their row numbers and what to call the source in messages."""

    source: str
    records: list[dict[str, str]]
    rows: list[int]
    labels: dict[str, str] | None = None  # field -> header as the file spells it


def records_from_frame(frame: pd.DataFrame, source: str, first_row: int = 2) -> GrantRecords:
    """A CSV/Excel sheet of grants (every cell text) as records keyed by field name."""
    columns = find_columns(list(frame.columns))
    records, rows = [], []
    for i, row in enumerate(frame.itertuples(index=False, name=None)):
        values = dict(zip(frame.columns, row, strict=True))
        if not any(str(v).strip() for v in values.values()):
            continue
        records.append({name: str(values[header] or "") for name, header in columns.items()})
        rows.append(i + first_row)
    return GrantRecords(source, records, rows, {name: header for name, header in columns.items()})


def records_from_json(grants: list, source: str) -> GrantRecords:
    records, rows = [], []
    labels: dict[str, str] = {}
    for i, grant in enumerate(grants, start=1):
        if not isinstance(grant, dict):
            records.append({})
            rows.append(i)
            continue
        flat = flatten_grant(grant)
        columns = find_columns(list(flat))
        for name, key in columns.items():
            labels.setdefault(name, key)
        records.append({name: flat[key] for name, key in columns.items()})
        rows.append(i)
    return GrantRecords(source, records, rows, labels)


# ---------------------------------------------------------------- mapping


@dataclass
class _Report:
    """What mapping the grants found: problems (the grant is not imported), warnings and the cells reported."""

    source: str
    labels: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    failed: set[tuple[int, str]] = field(default_factory=set)  # (row, template column) already reported here

    def problem(self, row: int, name: str, value: str | None, reason: str, *columns: str) -> None:
        self.problems.append(Problem(self.source, row, self.labels[name], value, reason))
        self.failed.update((row, c) for c in columns)

    def warn(self, row: int, name: str, value: str | None, reason: str) -> None:
        self.warnings.append(Problem(self.source, row, self.labels[name], value, reason))


def grants_to_batch(grants: GrantRecords, as_of: date, *, source_name: str, sha256: str) -> Batch:
    """Map grants to a projects table and a funding table, with every problem, warning and flag."""
    labels = {name: (grants.labels or {}).get(name) or spec.label for name, spec in FIELDS.items()}
    report = _Report(grants.source, labels)
    flags: list[Flag] = []
    projects, funding = [], []

    for row, rec in zip(grants.rows, grants.records, strict=True):

        def get(name: str, rec: dict = rec) -> str:
            return (rec.get(name) or "").strip()

        pid = get("identifier")
        recipient = _check_who_and_currency(report, row, get)
        amount_text = _amount_text(report, row, get)
        dates, start, end, funding_end = _period(report, row, get)

        # what the project row says, as template text; placeholders are flagged
        location = get("location")
        provider_type, provider_flag = _provider_type(get("recipient_id"), get("recipient_charity"), rec)
        project = {
            ROW_COLUMN: row,
            "project_id": pid,
            "name": get("title"),
            "description": (rec.get("description") or "").strip(),
            "provider": recipient,
            "provider_type": provider_type,
            "funding_mechanism": "grant",
            "locality": location or get("recipient_city") or NOT_RECORDED,
            "start_date": start.isoformat() if start else "",
            "end_date": end.isoformat() if end else "",
            "status": status_on(start, end, as_of) if start else "",
            "edi_considered": "",
        }
        for column, (value, _reason) in PLACEHOLDERS.items():
            project[column] = value
        projects.append(project)
        funding.append(
            {
                ROW_COLUMN: row,
                "funding_id": pid,
                "project_id": pid,
                "funder": get("funder_name"),
                "recurrent": "false",
                "amount_gbp": amount_text,
                "start_date": start.isoformat() if start else "",
                "end_date": funding_end.isoformat() if funding_end else "",
            }
        )
        if pid:
            flags += _grant_flags(pid, get, provider_flag, dates, start, end)

    raws = _raw_tables(grants.source, labels, projects, funding)
    if not grants.records:
        report.problems.append(Problem(grants.source, None, None, None, "holds no grants"))
    problems = _with_template_problems(report, raws)
    return Batch(
        raws=raws,
        problems=problems,
        warnings=report.warnings,
        flags=flags,
        keep_existing=KEEP_EXISTING,
        source_name=source_name,
        sha256=sha256,
        format=FORMAT,
        row_noun="grant",
    )


STANDARD_REQUIRES = "is empty; the 360Giving standard requires it, but the grant was imported without it"


def _check_who_and_currency(report: _Report, row: int, get) -> str:
    """The fields a grant needs, those the standard requires (a warning), and pounds only; the recipient's name."""
    for name in NEEDED:
        if not get(name):
            report.problem(row, name, None, f"is empty; every grant needs its {report.labels[name]} to be imported")
    recipient = get("recipient_name") or get("individual_name")
    if not recipient:
        report.problem(row, "recipient_name", None, "is empty; say who received the grant (Recipient Org:Name)")
    for name in STANDARD_ONLY:
        if not get(name):
            report.warn(row, name, None, STANDARD_REQUIRES)
    if not get("recipient_id") and not get("individual_id") and recipient:
        report.warn(row, "recipient_id", None, STANDARD_REQUIRES)
    currency = get("currency").upper()
    if currency and currency != "GBP":
        report.problem(
            row,
            "currency",
            get("currency"),
            "is not GBP; only grants in pounds can be imported (amounts are never converted): "
            "leave this grant out, or convert it yourself and set Currency to GBP",
        )
    return recipient


def _amount_text(report: _Report, row: int, get) -> str:
    """The amount awarded as template text (rounded to the penny, with a warning, if it has more places)."""
    try:
        amount = parse_amount(get("amount_awarded"))
    except ValueError as exc:
        reason = str(exc)
        if reason == "is not an amount in pounds":
            reason = "is not an amount of money; write it like 15000 or £15,000.00"
        report.problem(row, "amount_awarded", get("amount_awarded"), reason, "amount_gbp")
        return ""
    if amount is None:
        return ""
    if values.decimal_places(amount) > 2:
        rounded = values.round_to_penny(amount)
        report.warn(
            row,
            "amount_awarded",
            get("amount_awarded"),
            f"has more than 2 decimal places; imported as £{values.money_text(rounded)} (rounded to the "
            "nearest penny, half up)",
        )
        amount = rounded
    return values.money_text(amount)


def _period(report: _Report, row: int, get) -> tuple[dict[str, date | None], date | None, date | None, date | None]:
    """The grant's dates as read, its start, its end and its funding's end. The planned dates govern; a duration
    only stands in for a missing end date; with neither, the funding runs DEFAULT_FUNDING_MONTHS."""
    dates: dict[str, date | None] = {}
    for name in ("award_date", "planned_start", "planned_end"):
        try:
            dates[name] = parse_date(get(name))
        except ValueError as exc:
            dates[name] = None
            reason = str(exc)
            if reason != values.FOREIGN_DIGITS_REASON:
                reason = "is not a date; write it as YYYY-MM-DD or DD/MM/YYYY, for example 2025-04-01 or 01/04/2025"
            report.problem(row, name, get(name), reason, "start_date" if name != "planned_end" else "end_date")
    try:
        months = parse_months(get("planned_months"))
    except ValueError as exc:
        months = None
        report.problem(row, "planned_months", get("planned_months"), str(exc), "end_date")
    if months == 0:
        if dates["planned_end"] is not None:
            report.warn(
                row,
                "planned_months",
                get("planned_months"),
                f"is 0 months; the planned dates govern, so the grant runs to its end date "
                f"({dates['planned_end'].isoformat()}) and is appraised in the months its dates touch",
            )
        else:
            report.problem(
                row,
                "planned_months",
                get("planned_months"),
                "is 0 months and there is no planned end date; give the end date, or a duration of 1 month or more",
                "end_date",
            )
        months = None

    start = dates["planned_start"] or dates["award_date"]
    if start is None and (row, "start_date") not in report.failed:
        report.problem(
            row,
            "planned_start",
            None,
            "is empty and so is Award Date; a grant needs a date to place it in time",
            "start_date",
        )
    end = dates["planned_end"]
    plausible_start = start is not None and start.year <= LATEST_YEAR  # else the start date is reported
    if end is None and plausible_start and months is not None:
        end = add_months(start, months)  # derived from the published duration
    funding_end = end
    if funding_end is None and plausible_start:
        funding_end = add_months(start, DEFAULT_FUNDING_MONTHS)
    return dates, start, end, funding_end


def _grant_flags(
    pid: str, get, provider_flag: str | None, dates: dict[str, date | None], start: date | None, end: date | None
) -> list[Flag]:
    """What the importer filled in for a grant, for someone to check: placeholders and assumed values."""
    flags = [Flag(pid, "projects", column, reason) for column, (_value, reason) in PLACEHOLDERS.items()]
    if provider_flag:
        flags.append(Flag(pid, "projects", "provider_type", provider_flag))
    if not get("location"):
        where = "the recipient's town" if get("recipient_city") else "a placeholder"
        flags.append(Flag(pid, "projects", "locality", f"no Beneficiary Location; {where} used; say where it serves"))
    if dates["planned_start"] is None and dates["award_date"] is not None:
        flags.append(Flag(pid, "projects", "start_date", "no planned start; the Award Date was used; check it"))
    if end is None and start is not None:
        flags.append(
            Flag(
                pid,
                "funding",
                "end_date",
                f"no planned end or duration; the funding line assumes {DEFAULT_FUNDING_MONTHS} months; check it",
            )
        )
    flags += [Flag(pid, table_name, "*", reason) for table_name, reason in LINE_FLAGS.items()]
    return flags


def _raw_tables(source: str, labels: dict[str, str], projects: list[dict], funding: list[dict]) -> list[RawTable]:
    """The grants as the template's projects and funding tables, each column labelled with the 360Giving field
    it came from (so a problem names the column of the grants file)."""
    project_columns = [ROW_COLUMN] + TABLES_BY_NAME["projects"].column_names
    funding_columns = [ROW_COLUMN] + TABLES_BY_NAME["funding"].column_names
    project_labels = {
        "project_id": labels["identifier"],
        "name": labels["title"],
        "description": labels["description"],
        "provider": labels["recipient_name"],
        "locality": labels["location"],
        "start_date": f"{labels['planned_start']} (or {labels['award_date']})",
        "end_date": f"{labels['planned_end']} (or {labels['planned_months']})",
    }
    funding_labels = {
        "funding_id": labels["identifier"],
        "project_id": labels["identifier"],
        "funder": labels["funder_name"],
        "amount_gbp": labels["amount_awarded"],
        "start_date": project_labels["start_date"],
        "end_date": project_labels["end_date"],
    }
    return [
        RawTable(
            TABLES_BY_NAME["projects"],
            source,
            pd.DataFrame(projects, columns=project_columns).astype({ROW_COLUMN: int}),
            project_labels,
        ),
        RawTable(
            TABLES_BY_NAME["funding"],
            source,
            pd.DataFrame(funding, columns=funding_columns).astype({ROW_COLUMN: int}),
            funding_labels,
        ),
    ]


def _with_template_problems(report: _Report, raws: list[RawTable]) -> list[Problem]:
    """The grant problems, then the template's own checks of the mapped tables that say something new, in order."""
    problems = list(report.problems)
    _, checked = check_tables(raws)
    # the template checks see '' where a value could not be read: keep the first, clearer message
    reported = {(p.row, p.column) for p in problems}
    label_to_column = {}
    for raw in raws:
        for column in raw.table.column_names:
            label_to_column[(raw.label(column))] = column
    for p in checked:
        column = label_to_column.get(p.column or "", p.column)
        if (p.row, column) in report.failed or (p.row, p.column) in reported:
            continue
        if "is required but empty" in p.reason and any(p.row == q.row for q in problems):
            continue  # the grant's own missing-field message already covers it
        problems.append(p)
        reported.add((p.row, p.column))
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return problems


def _provider_type(recipient_id: str, charity_number: str, rec: dict) -> tuple[str, str | None]:
    """(provider_type, flag reason or None): a registered charity is a VCSE; an individual is an individual."""
    if not recipient_id and (rec.get("individual_name") or rec.get("individual_id")):
        return "individual", None
    if charity_number or recipient_id.upper().startswith(_CHARITY_PREFIXES):
        return "vcse", None
    return "vcse", "placeholder 'vcse' (most grant recipients are); check the kind of provider"
