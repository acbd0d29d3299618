"""The import template: every table a council fills in, its columns and the rules a value must meet.

This is the one definition that validation, the database tables, the blank template and its guidance
are all built from, so they cannot drift apart. It is plain data: no I/O, no streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

SERVICE_STATUSES = ("proposed", "active", "paused", "ended", "mainstreamed", "stopped")
OPEN_STATUSES = ("proposed", "active", "paused")  # the statuses a projectitis score applies to
INNOVATION_TYPES = ("system", "social", "business_model", "adaptation")
PROVIDER_TYPES = ("in_house", "micro_provider", "community_org", "vcse", "private", "individual")
FUNDING_MECHANISMS = (
    "grant",
    "contract",
    "direct_payment",
    "individual_service_fund",
    "personal_budget",
    "pooled_budget",
    "in_house",
)
FREQUENCIES = ("once", "weekly", "monthly", "annual")
BENEFIT_TYPES = ("fiscal_cashable", "fiscal_non_cashable", "economic", "social")
FISCAL_BENEFIT_TYPES = ("fiscal_cashable", "fiscal_non_cashable")
BENEFICIARY_AGENCIES = ("council_asc", "nhs", "dwp", "individual", "carer", "other")
PAYER_AGENCIES = BENEFICIARY_AGENCIES  # who pays a cost line: the same bodies and people who may benefit
ACTUAL_KINDS = ("spend", "funding_received", "saving")  # what an actuals row records


@dataclass(frozen=True)
class Column:
    """One template column.

    kind is one of: id, text, date, bool, money, signed_money (pounds that may be negative: credits and
    corrections), month (a calendar month written YYYY-MM, stored as its first day), share, int, number (any
    real number), code, financial_year (a UK financial year written 2024-25, which must be one the GDP
    deflator table holds).
    """

    name: str
    kind: str
    required: bool = True
    description: str = ""
    codes: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    references: str | None = None  # name of the table whose key this column must match

    @property
    def sql_type(self) -> str:
        return {
            "id": "varchar",
            "text": "varchar",
            "code": "varchar",
            "date": "date",
            "bool": "boolean",
            "money": "decimal(18,2)",
            "signed_money": "decimal(18,2)",
            "month": "date",
            "share": "double",
            "int": "integer",
            "number": "double",
            "financial_year": "varchar",
        }[self.kind]

    def allowed(self) -> str:
        """What a valid value looks like, in words, for messages and the template guidance."""
        if self.kind == "code":
            return "one of " + ", ".join(self.codes)
        if self.kind == "date":
            return "a date written YYYY-MM-DD, for example 2025-04-01"
        if self.kind == "bool":
            return "true or false"
        if self.kind == "money":
            return "an amount in pounds of 0 or more, with up to 2 decimal places and no £ sign or commas"
        if self.kind == "signed_money":
            return (
                "an amount in pounds, with up to 2 decimal places and no £ sign or commas; "
                "negative for a credit or correction, for example -120.50"
            )
        if self.kind == "month":
            return "a month written YYYY-MM, for example 2026-04"
        if self.kind == "share":
            return "a fraction from 0 to 1, for example 0.25 for a quarter"
        if self.kind == "int":
            low = "" if self.min_value is None else f" from {self.min_value:g}"
            high = "" if self.max_value is None else f" to {self.max_value:g}"
            return f"a whole number{low}{high}"
        if self.kind == "number":
            return "a number, for example 0.75, 12 or -3"
        if self.kind == "id":
            return "a short unique reference, for example P001"
        if self.kind == "financial_year":
            return "a financial year written YYYY-YY, for example 2024-25, one of those in the GDP deflator table"
        return "text"


@dataclass(frozen=True)
class Table:
    name: str
    key: str
    description: str
    columns: tuple[Column, ...]
    # (start column, end column) pairs where the end may not be before the start
    date_ranges: tuple[tuple[str, str], ...] = ()
    required_file: bool = False

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _price_year() -> Column:
    return Column(
        "price_year",
        "financial_year",
        False,
        "The financial year whose prices the amount is in, for example 2013-14 for a unit cost from then; "
        "leave empty if it is already in the council's price base year",
    )


def _grade(required: bool = True) -> Column:
    return Column(
        "confidence_grade",
        "int",
        required,
        "How sure the figure is, 1 (audited) to 6 (expert judgement); sets the optimism bias",
        min_value=1,
        max_value=6,
    )


PROJECTS = Table(
    name="projects",
    key="project_id",
    description="One row per project, innovation or individual arrangement.",
    columns=(
        Column("project_id", "id", description="Your unique reference for the project"),
        Column("name", "text", description="Its everyday name"),
        Column("description", "text", False, "What it does and for whom, in a sentence or two"),
        Column("service_area", "text", description="For example Older people, Learning disability, Carers"),
        Column(
            "innovation_type",
            "code",
            description="The kind of innovation journey",
            codes=INNOVATION_TYPES,
        ),
        Column("provider", "text", description="Who delivers it"),
        Column("provider_type", "code", description="The kind of provider", codes=PROVIDER_TYPES),
        Column(
            "funding_mechanism",
            "code",
            description="How the money reaches it",
            codes=FUNDING_MECHANISMS,
        ),
        Column("locality", "text", description="The place it serves"),
        Column("start_date", "date", description="When it started or will start"),
        Column("end_date", "date", False, "When it is planned to end, if known"),
        Column("status", "code", description="Where it is now", codes=SERVICE_STATUSES),
        Column(
            "people_reached",
            "int",
            description="How many people it supports",
            min_value=0,
        ),
        Column(
            "coproduction_level",
            "int",
            description="0 none, 1 informed, 2 consulted, 3 involved, 4 co-produced with people who draw on care",
            min_value=0,
            max_value=4,
        ),
        Column(
            "evidence_level",
            "int",
            description="Nesta Standards of Evidence, 1 (a clear account of impact) to 5 (replicated at scale)",
            min_value=1,
            max_value=5,
        ),
        Column("has_exit_plan", "bool", description="Is there a plan for when this funding ends?"),
        Column("edi_considered", "bool", False, "Have equality, diversity and inclusion been considered?"),
    ),
    date_ranges=(("start_date", "end_date"),),
    required_file=True,
)

FUNDING = Table(
    name="funding",
    key="funding_id",
    description="One row per funding award or budget line for a project.",
    columns=(
        Column("funding_id", "id", description="Your unique reference for the funding line"),
        Column("project_id", "id", description="The project it funds", references="projects"),
        Column("funder", "text", description="Who pays, for example Better Care Fund"),
        Column(
            "recurrent",
            "bool",
            description="true for mainstream or core budget that continues; false for time-limited money",
        ),
        Column("amount_gbp", "money", description="The total for the whole period"),
        Column("start_date", "date", description="First day the money covers"),
        Column("end_date", "date", description="Last day the money covers"),
    ),
    date_ranges=(("start_date", "end_date"),),
)

COSTS = Table(
    name="costs",
    key="cost_id",
    description="One row per cost line: what the project costs and how often.",
    columns=(
        Column("cost_id", "id", description="Your unique reference for the cost line"),
        Column("project_id", "id", description="The project it belongs to", references="projects"),
        Column("item", "text", description="What the money buys"),
        Column("amount_gbp", "money", description="The cost each time it occurs"),
        Column("frequency", "code", description="How often it occurs", codes=FREQUENCIES),
        Column("start_date", "date", description="When it starts (the date of a one-off cost)"),
        Column(
            "end_date",
            "date",
            False,
            "When it ends, inclusive; leave empty if it lasts as long as the project (to its planned end date)",
        ),
        _grade(),
        Column(
            "payer_agency",
            "code",
            False,
            "Who pays it; leave empty for the council's adult social care budget",
            codes=PAYER_AGENCIES,
        ),
        _price_year(),
    ),
    date_ranges=(("start_date", "end_date"),),
)

BENEFITS = Table(
    name="benefits",
    key="benefit_id",
    description="One row per benefit line: a cost avoided or value created, and how often.",
    columns=(
        Column("benefit_id", "id", description="Your unique reference for the benefit line"),
        Column("project_id", "id", description="The project it belongs to", references="projects"),
        Column("outcome", "text", description="What changes, and the unit cost source"),
        Column("benefit_type", "code", description="Fiscal, economic or social value", codes=BENEFIT_TYPES),
        Column(
            "beneficiary_agency",
            "code",
            description="Whose budget or life gains",
            codes=BENEFICIARY_AGENCIES,
        ),
        Column("amount_gbp", "money", description="The value each time it occurs"),
        Column("frequency", "code", description="How often it occurs", codes=FREQUENCIES),
        Column("start_date", "date", description="When it starts"),
        Column(
            "end_date",
            "date",
            False,
            "When it ends, inclusive; leave empty if it lasts as long as the project (and persistence_months after)",
        ),
        Column("deadweight_share", "share", description="Share that would have happened anyway"),
        Column(
            "attribution_others_share",
            "share",
            description="Share due to other people or services",
        ),
        Column("drop_off_rate", "share", description="Share of the effect lost each year"),
        _grade(),
        Column(
            "persistence_months",
            "int",
            False,
            "How many months the benefit lasts after the project ends or stops (empty: it ends with the project)",
            min_value=0,
            max_value=1200,
        ),
        Column(
            "is_health_value",
            "bool",
            False,
            "true for a value in QALYs or WELLBYs, discounted at the Green Book health rate (empty: false)",
        ),
        _price_year(),
    ),
    date_ranges=(("start_date", "end_date"),),
)

OUTCOMES = Table(
    name="outcomes",
    key="outcome_id",
    description="Optional. One row per outcome measure of a project: what success looks like beyond money.",
    columns=(
        Column("outcome_id", "id", description="Your unique reference for the outcome measure"),
        Column("project_id", "id", description="The project it measures", references="projects"),
        Column(
            "measure",
            "text",
            description="What is measured, for example ASCOT social-care-related quality of life",
        ),
        Column("unit", "text", description="What the numbers count, for example score (0 to 1), % of people, hours"),
        Column("baseline", "number", False, "The value before the project, if known"),
        Column("latest", "number", description="The most recent value"),
        Column("target", "number", False, "The value the project aims for, if set"),
        Column(
            "people_measured",
            "int",
            description="How many people the latest value rests on",
            min_value=1,
        ),
        Column("measured_on", "date", description="When the latest value was measured"),
        Column("source", "text", False, "Where the figure comes from, for example a survey or review"),
    ),
)

ACTUALS = Table(
    name="actuals",
    key="actual_id",
    description=(
        "Optional. One row per actual amount in a month from the ledger: spend, funding received or a saving "
        "actually made, for budget monitoring against the plan."
    ),
    columns=(
        Column("actual_id", "id", description="Your unique reference for the actual, for example a ledger line id"),
        Column("project_id", "id", description="The project it belongs to", references="projects"),
        Column(
            "kind",
            "code",
            description="spend paid out, funding received, or a saving to the adult social care budget made",
            codes=ACTUAL_KINDS,
        ),
        Column("month", "month", description="The month it falls in, as the ledger posts it"),
        Column("amount_gbp", "signed_money", description="The amount in that month"),
        Column(
            "ledger_code",
            "text",
            False,
            "Where the ledger holds it, for example cost centre and subjective code (empty if not known)",
        ),
        Column("note", "text", False, "Anything a reader should know about the amount"),
    ),
)

TEMPLATE_TABLES: tuple[Table, ...] = (PROJECTS, FUNDING, COSTS, BENEFITS, OUTCOMES, ACTUALS)
TABLES_BY_NAME = {t.name: t for t in TEMPLATE_TABLES}
