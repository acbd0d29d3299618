"""Write data/demo/actuals.csv: made-up ledger actuals for the demo projects, generated from the demo plan.

Run from the repository root: python data/demo/make_actuals.py. It imports the other demo CSVs into a throwaway
database, reads each project's planned spend, committed funding and planned savings by month (the same SQL budget
monitoring uses) and writes actuals from each project's first planned month to October 2026: most projects spend
within a few per cent of plan, a few overspend, a few save less than planned, funding arrives as committed, one
project has a credit note. The drumkit (P001) avoids exactly £1,500 a month of personal-assistant cost, as its
benefit line says. Seeded, so the file is the same every run.
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dashboard.database import db  # noqa: E402
from dashboard.database.schema import ACTUALS  # noqa: E402
from dashboard.files.importer import import_folder  # noqa: E402
from dashboard.rules import appraisal, budget  # noqa: E402

DEMO = ROOT / "data" / "demo"
LAST_MONTH = date(2026, 10, 1)
AS_OF = date(2026, 11, 22)  # the demo's "today"
OVERSPENDING = {"P004", "P009", "P014", "P027", "P041"}  # spend 8-20% over plan
SAVING_BELOW_PLAN = {"P005", "P008", "P012", "P030"}  # savings at 55-75% of plan
DRUMKIT = "P001"
PENNY = Decimal("0.01")


def _gbp(value: float) -> str:
    return str(Decimal(str(value)).quantize(PENNY, rounding=ROUND_HALF_UP))


def main() -> None:
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "demo"
        folder.mkdir()
        for name in ("projects", "funding", "costs", "benefits", "outcomes"):
            (folder / f"{name}.csv").write_bytes((DEMO / f"{name}.csv").read_bytes())
        path = Path(tmp) / "demo.duckdb"
        with db.write_database(path, fresh=True) as con:
            db.load_reference_tables(con)
        result = import_folder(folder, path)
        if not result.ok:
            raise SystemExit("the demo data failed its checks: " + "; ".join(str(p) for p in result.problems[:5]))
        con = db.connect_read_only(path)
        plan = budget.plan_by_project_month(con, appraisal.reference_assumptions(con, AS_OF))
        con.close()
    plan = plan[plan["month"].map(lambda m: m.date() if hasattr(m, "date") else m) <= LAST_MONTH]
    rows = []
    factors: dict[str, tuple[float, float]] = {}
    for r in plan.itertuples(index=False):
        month = r.month.date() if hasattr(r.month, "date") else r.month
        spend_factor, saving_factor = factors.setdefault(
            r.project_id,
            (
                rng.uniform(1.08, 1.20) if r.project_id in OVERSPENDING else rng.uniform(0.97, 1.03),
                rng.uniform(0.55, 0.75) if r.project_id in SAVING_BELOW_PLAN else rng.uniform(0.9, 1.0),
            ),
        )
        code = f"CC{4100 + int(r.project_id[1:]):04d}"
        if float(r.planned_spend_gbp):
            wobble = rng.uniform(0.98, 1.02)
            amount = float(r.planned_spend_gbp) * (1 if r.project_id == DRUMKIT else spend_factor * wobble)
            rows.append((r.project_id, "spend", month, _gbp(amount), f"{code}-5201", ""))
        if float(r.funding_committed_gbp):
            rows.append(
                (r.project_id, "funding_received", month, _gbp(float(r.funding_committed_gbp)), f"{code}-9100", "")
            )
        if r.project_id == DRUMKIT and r.planned_savings_gbp:
            rows.append(
                (
                    r.project_id,
                    "saving",
                    month,
                    "1500.00",
                    f"{code}-5400",
                    "Personal-assistant hours no longer commissioned",
                )
            )
        elif r.planned_savings_gbp:
            amount = r.planned_savings_gbp * saving_factor
            rows.append((r.project_id, "saving", month, _gbp(amount), f"{code}-5400", ""))
    # one credit note: a provider refund for an invoice paid twice
    rows.append(
        ("P006", "spend", date(2026, 9, 1), "-1250.00", "CC4106-5201", "Credit note: invoice paid twice in August")
    )
    with (DEMO / ACTUALS.file_name).open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(ACTUALS.column_names)
        for i, (pid, kind, month, amount, ledger, note) in enumerate(rows, start=1):
            writer.writerow((f"A{i:05d}", pid, kind, f"{month:%Y-%m}", amount, ledger, note))
    print(f"Wrote {len(rows):,} actuals to {DEMO / ACTUALS.file_name}")


if __name__ == "__main__":
    main()
