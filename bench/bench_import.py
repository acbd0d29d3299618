"""Benchmark: import a 1,000,000-row costs.csv into a database holding the tiny test portfolio.

Reports the wall-clock seconds of the whole import (read, check every rule, upsert in one transaction
on a copy of the database, swap in) and the peak memory of the process. Target: under 15 seconds.

    .venv/bin/python bench/bench_import.py [--rows 1000000] [--keep]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.database import db  # noqa: E402
from dashboard.files.import_sources import import_path  # noqa: E402
from dashboard.files.importer import import_folder  # noqa: E402

TINY = ROOT / "tests" / "data" / "tiny"


def write_costs(path: Path, rows: int) -> None:
    """A realistic costs file: ids, the tiny projects, quoted text with commas, dates, grades."""
    projects = ("P001", "P002", "P003")
    frequencies = ("once", "weekly", "monthly", "annual")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("cost_id,project_id,item,amount_gbp,frequency,start_date,end_date,confidence_grade\n")
        for i in range(rows):
            month = i % 12 + 1
            end = f"2027-{month:02d}-28" if i % 3 else ""
            f.write(
                f'BC{i:07d},{projects[i % 3]},"Support worker, visit {i % 97}",{(i % 5000) + 0.25:.2f},'
                f"{frequencies[i % 4]},2025-{month:02d}-01,{end},{i % 6 + 1}\n"
            )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_import_"))
    database = tmp / "bench.duckdb"
    with db.write_database(database, fresh=True) as con:
        db.load_reference_tables(con)
    assert import_folder(TINY, database).ok
    costs = tmp / "costs.csv"
    t0 = time.perf_counter()
    write_costs(costs, args.rows)
    print(f"wrote {args.rows:,} rows ({costs.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    result = import_path(costs, database)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(result.summary())
    if not result.ok:
        for problem in result.problems[:10]:
            print(problem)
    print(
        f"import: {seconds:.1f} s (target < 15 s); "
        f"peak memory {peak_mb:,.0f} MB (before the import {before / 1024:,.0f} MB)"
    )
    if not args.keep:
        for path in tmp.iterdir():
            path.unlink()
        tmp.rmdir()
    return 0 if result.ok and seconds < 15 else 1


if __name__ == "__main__":
    sys.exit(main())
