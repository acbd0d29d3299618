"""Benchmark: the finance Excel export of a 100,000-project portfolio (a script, not a timed test).

Builds a synthetic portfolio with dashboard.synthetic (the demo portfolio bootstrapped, about three funding,
cost and benefit lines a project) into a temporary database, then times each step of
`python -m dashboard export finance --out FILE.xlsx` separately, because in the app the appraisal is
already cached for the page and only the last two steps run when the button is pressed:

1. appraisal: project_metrics for every project (Green Book PVs and projectitis risk);
2. finance tables: the six tables in SQL (whole pence, by financial year, funder, service area);
3. Excel: writing the workbook (dashboard/xlsx_writer.py, streamed into the zip block by block);
4. CSV zip, for comparison.

It reports wall-clock and CPU seconds per step (on a shared machine the wall clock includes waiting for a
core; the load average is printed so a reader can judge), the best of --repeat runs of steps 2 to 4, the
workbook's size and the process's peak resident memory. Target: the export (steps 2 and 3) under 10 seconds.

    .venv/bin/python bench/bench_finance_export.py [--projects 100000] [--seed 0] [--repeat 3] [--keep]
    .venv/bin/python bench/bench_finance_export.py --db /tmp/fin100k.duckdb   # an existing database
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.database import db  # noqa: E402
from dashboard.files import finance, synthetic  # noqa: E402
from dashboard.rules.appraisal import project_metrics, reference_assumptions  # noqa: E402

AS_OF = date.today()  # in the month the database is written, so the stored figures hold


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def lap(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = clock()
    return wall - start[0], cpu - start[1]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports kilobytes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the export steps; the best is reported")
    parser.add_argument("--db", type=Path, default=None, help="use this existing database instead of generating")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-finance-"))
    if args.db:
        path = args.db
    else:
        path = folder / "portfolio.duckdb"
        started = time.perf_counter()
        with db.write_database(path, fresh=True) as con:
            db.load_reference_tables(con)
            added = synthetic.write_portfolio(con, args.projects, args.seed)
        print(f"generated {added} in {time.perf_counter() - started:.1f} s; memory so far {peak_mb():,.0f} MB")

    con = db.connect_read_only(path)
    timings: dict[str, tuple[float, float]] = {}

    def best(step: str, took: tuple[float, float]) -> None:
        timings[step] = min(timings.get(step, took), took)  # the run with the least wall time

    try:
        assumptions = reference_assumptions(con, AS_OF)
        request = finance.FinanceRequest(assumptions)
        t = clock()
        metrics = project_metrics(con, assumptions)
        timings["appraisal (cached in the app)"] = lap(t)
        for _ in range(max(args.repeat, 1)):
            t = clock()
            sheets = finance.finance_sheets(con, request, metrics, council_name="Benchmark council")
            best("finance tables (SQL)", lap(t))

            t = clock()
            workbook = finance.finance_xlsx_bytes(sheets, request, "Benchmark council")
            best("Excel workbook", lap(t))

            t = clock()
            archive = finance.finance_csv_zip_bytes(sheets)
            best("CSV zip", lap(t))
    finally:
        con.close()

    out = folder / "finance.xlsx"
    out.write_bytes(workbook)
    rows = {s.name: len(s.frame) for s in sheets}
    print(f"rows per sheet: {rows}; cells {sum(s.frame.size for s in sheets):,}")
    print(f"best of {max(args.repeat, 1)}; load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())} on "
          f"{os.cpu_count()} cores")  # fmt: skip
    print(f"{'step':38s} {'wall':>7s} {'cpu':>7s}")
    for step, (wall, cpu) in timings.items():
        print(f"{step:38s} {wall:6.2f}s {cpu:6.2f}s")
    export = [a + b for a, b in zip(timings["finance tables (SQL)"], timings["Excel workbook"], strict=True)]
    print(f"{'export from the app (tables + Excel)':38s} {export[0]:6.2f}s {export[1]:6.2f}s  (target < 10 s)")
    appraisal = timings["appraisal (cached in the app)"]
    print(f"{'CLI end to end (+ appraisal)':38s} {export[0] + appraisal[0]:6.2f}s {export[1] + appraisal[1]:6.2f}s")
    print(f"workbook {len(workbook) / 1e6:.1f} MB, zip {len(archive) / 1e6:.1f} MB; peak memory {peak_mb():,.0f} MB")
    if args.keep:
        print(f"kept {folder}")
    else:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
