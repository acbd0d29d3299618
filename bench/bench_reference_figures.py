"""Benchmark: the appraisal figures stored at the council's reference assumptions, and what they cost a write.

Every write (db.write_database) stores each project's appraisal figures at the reference assumptions, so
`project_metrics` at those assumptions (the app's default) reads them instead of computing them. This
measures, on a copy of a synthetic database (bench/run.py builds them in bench/results/):

- metrics at the reference assumptions (the stored path) and at other assumptions (computed), best of runs;
- a write that changes nothing the figures depend on (an empty write_database block);
- recording a decision (dashboard.decisions.record_decision: it also appraises the portfolio in the write);
- importing a small costs.csv that changes 100 existing cost lines (the figures are recomputed).

Each write is timed whole (copy of the file, transaction, checkpoint, swap), so compare the figures with
the same case run on code without stored figures rather than reading them as the added cost alone.

    .venv/bin/python bench/bench_reference_figures.py --db bench/results/synthetic_1000000_seed0.duckdb
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.database import db  # noqa: E402
from dashboard.rules import appraisal  # noqa: E402

AS_OF = date.today()  # in the month the database is written, so the stored figures hold


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(fn) -> tuple[object, float, float]:
    wall, cpu = time.perf_counter(), _cpu()
    result = fn()
    return result, time.perf_counter() - wall, _cpu() - cpu


def metrics_case(path: Path, assumptions, runs: int) -> dict:
    con = db.connect_read_only(path)
    try:
        times = []
        for _ in range(runs):
            frame, wall, cpu = timed(lambda: appraisal.project_metrics(con, assumptions))
            rows = len(frame)
            del frame
            times.append((wall, cpu))
    finally:
        con.close()
    best = min(times)
    return {"rows": rows, "first_s": times[0][0], "wall_s": best[0], "cpu_s": best[1]}


def stored_state(path: Path) -> str:
    """Whether the database holds stored figures and whether they match the reference assumptions."""
    con = db.connect_read_only(path)
    try:
        if not hasattr(appraisal, "figures_source"):
            return "no stored figures (code before they existed)"
        return appraisal.figures_source(con, appraisal.reference_assumptions(con, AS_OF))
    finally:
        con.close()


def write_empty(path: Path) -> None:
    with db.write_database(path):
        pass


def write_decision(path: Path, project_id: str, effective_date: date) -> None:
    from dashboard.files.decisions import DecisionInput, record_decision

    entry = DecisionInput(
        project_id=project_id,
        decision="continue",
        effective_date=effective_date,
        reason_category="evidence_of_impact",
        rationale="Benchmark decision: continue while the evidence is gathered.",
        decided_by="bench",
    )
    record_decision(path, entry)  # at the reference assumptions as of today, as the app records one


def write_import(path: Path, folder: Path) -> None:
    from dashboard.files.importer import import_folder

    result = import_folder(folder, path, imported_by="bench")
    if not result.ok:
        raise SystemExit("\n".join(str(p) for p in result.problems[:5]))


def changed_costs_folder(path: Path, folder: Path, rows: int = 100) -> None:
    """A costs.csv that raises the amount of the first `rows` cost lines by £1 (so the figures change)."""
    con = db.connect_read_only(path)
    try:
        frame = con.execute(
            "select * from costs order by cost_id limit ?",  # a fixed benchmark query, no user value
            [rows],
        ).df()
    finally:
        con.close()
    frame["amount_gbp"] = frame["amount_gbp"].astype(float) + 1
    for col in ("start_date", "end_date"):
        frame[col] = frame[col].map(lambda d: "" if d is None or d != d else str(d)[:10])
    frame.to_csv(folder / "costs.csv", index=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a synthetic database (it is copied, not changed)")
    parser.add_argument("--runs", type=int, default=3, help="metrics runs per case (best is reported)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["metrics", "writes"])
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench_reference_figures_"))
    copy = work / "portfolio.duckdb"
    report: dict = {"db": str(args.db), "load_average_at_start": os.getloadavg()}
    try:
        shutil.copyfile(args.db, copy)
        if "writes" not in args.skip:
            _, report["write_empty_first_s"], _ = timed(lambda: write_empty(copy))  # stores figures if missing
            _, report["write_empty_s"], report["write_empty_cpu_s"] = timed(lambda: write_empty(copy))
            con = db.connect_read_only(copy)
            project_id, start = con.execute(
                "select project_id, start_date from projects order by project_id limit 1"
            ).fetchall()[0]
            con.close()
            _, report["decision_s"], report["decision_cpu_s"] = timed(lambda: write_decision(copy, project_id, start))
            folder = work / "import"
            folder.mkdir()
            changed_costs_folder(copy, folder)
            _, report["import_100_changed_costs_s"], report["import_cpu_s"] = timed(lambda: write_import(copy, folder))
        report["stored_figures"] = stored_state(copy)
        if "metrics" not in args.skip:
            con = db.connect_read_only(copy)
            reference = appraisal.reference_assumptions(con, AS_OF)
            con.close()
            report["metrics_reference"] = metrics_case(copy, reference, args.runs)
            other = reference.with_changes(discount_rate=0.05)
            report["metrics_other_assumptions"] = metrics_case(copy, other, max(1, args.runs - 1))
        report["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        report["load_average_at_end"] = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
